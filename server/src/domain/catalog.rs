//! The catalog of services and components: configuration, not code. The Kakao catalog
//! (config/catalog.toml) is the default; another organisation replaces the file.

use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

#[derive(Clone, Debug, Deserialize)]
pub struct Catalog {
    pub page: PageInfo,
    pub services: Vec<Service>,
    /// Where a crowd reporter may say they are (optional in a report).
    #[serde(default)]
    pub regions: Vec<Problem>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PageInfo {
    pub name_ko: String,
    pub name_en: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Service {
    pub slug: String,
    pub name_ko: String,
    pub name_en: String,
    #[serde(default)]
    pub description_ko: String,
    #[serde(default)]
    pub description_en: String,
    pub components: Vec<Component>,
    /// What an end user can report as broken (crowd reports).
    #[serde(default)]
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Component {
    pub slug: String,
    pub name_ko: String,
    pub name_en: String,
}

/// A named choice of a crowd report: a problem of a service, or a region.
#[derive(Clone, Debug, Deserialize)]
pub struct Problem {
    pub slug: String,
    pub name_ko: String,
    pub name_en: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the catalog {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the catalog {path} is not valid TOML: {source}")]
    Parse {
        path: String,
        source: toml::de::Error,
    },
    #[error("the catalog is invalid: {0}")]
    Invalid(String),
}

pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Catalog {
    pub fn load(path: &Path) -> Result<Self, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let catalog: Catalog = toml::from_str(&text).map_err(|source| CatalogError::Parse {
            path: path.display().to_string(),
            source,
        })?;
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let invalid = |msg: String| Err(CatalogError::Invalid(msg));
        if self.services.is_empty() {
            return invalid("it lists no services".into());
        }
        let mut services = HashSet::new();
        for service in &self.services {
            if !is_slug(&service.slug) {
                return invalid(format!(
                    "service slug '{}' must be [a-z0-9-]+",
                    service.slug
                ));
            }
            if !services.insert(&service.slug) {
                return invalid(format!("service '{}' is listed twice", service.slug));
            }
            if service.components.is_empty() {
                return invalid(format!("service '{}' has no components", service.slug));
            }
            let mut components = HashSet::new();
            for component in &service.components {
                if !is_slug(&component.slug) {
                    return invalid(format!(
                        "component slug '{}' must be [a-z0-9-]+",
                        component.slug
                    ));
                }
                if !components.insert(&component.slug) {
                    return invalid(format!(
                        "component '{}/{}' is listed twice",
                        service.slug, component.slug
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn region(&self, slug: &str) -> Option<&Problem> {
        self.regions.iter().find(|r| r.slug == slug)
    }

    pub fn service(&self, slug: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.slug == slug)
    }

    /// Looks up "service/component".
    pub fn component(&self, id: &str) -> Option<(&Service, &Component)> {
        let (service, component) = id.split_once('/')?;
        let service = self.service(service)?;
        let component = service.components.iter().find(|c| c.slug == component)?;
        Some((service, component))
    }

    /// Every component id, in catalog order.
    pub fn component_ids(&self) -> impl Iterator<Item = String> + '_ {
        self.services.iter().flat_map(|s| {
            s.components
                .iter()
                .map(move |c| format!("{}/{}", s.slug, c.slug))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_catalog() -> Catalog {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/catalog.toml");
        Catalog::load(&path).expect("the default catalog loads")
    }

    #[test]
    fn the_default_catalog_has_the_six_services_of_the_history() {
        let catalog = default_catalog();
        let slugs: Vec<_> = catalog.services.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(
            slugs,
            [
                "kakaotalk",
                "kakaopay",
                "kakaot",
                "kakaomap",
                "daum",
                "kakao-account"
            ]
        );
        assert!(catalog.component("kakaotalk/media").is_some());
        assert!(catalog.component("kakaotalk/nope").is_none());
        assert!(catalog.component("nope").is_none());
    }

    #[test]
    fn a_duplicate_or_malformed_slug_is_refused_by_name() {
        let bad = r#"
            [page]
            name_ko = "a"
            name_en = "a"
            [[services]]
            slug = "Bad Slug"
            name_ko = "a"
            name_en = "a"
            [[services.components]]
            slug = "x"
            name_ko = "x"
            name_en = "x"
        "#;
        let catalog: Catalog = toml::from_str(bad).unwrap();
        let error = catalog.validate().unwrap_err().to_string();
        assert!(error.contains("Bad Slug"), "{error}");
    }
}
