//! Prepared texts for the console (config/templates.toml): configuration, not code.

use app::data::staff::Template;
use app::model::{IncidentState, Lang, UpdateKind};
use serde::Deserialize;
use std::path::Path;

#[derive(Clone, Debug, Deserialize)]
pub struct TemplateDef {
    pub id: String,
    pub name_ko: String,
    pub name_en: String,
    pub kind: UpdateKind,
    pub state: IncidentState,
    #[serde(default)]
    pub title_ko: String,
    #[serde(default)]
    pub title_en: String,
    pub body_ko: String,
    pub body_en: String,
}

#[derive(Deserialize)]
struct TemplateFile {
    templates: Vec<TemplateDef>,
}

/// Reads the templates; a missing file means no templates (the console works without).
pub fn load(path: &Path) -> anyhow::Result<Vec<TemplateDef>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(toml::from_str::<TemplateFile>(&text)
            .map_err(|e| {
                anyhow::anyhow!("the templates file {} is not valid: {e}", path.display())
            })?
            .templates),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

pub fn for_reader(templates: &[TemplateDef], lang: Lang) -> Vec<Template> {
    templates
        .iter()
        .map(|t| Template {
            id: t.id.clone(),
            name: match lang {
                Lang::Ko => t.name_ko.clone(),
                Lang::En => t.name_en.clone(),
            },
            kind: t.kind,
            state: t.state,
            title_ko: t.title_ko.clone(),
            title_en: t.title_en.clone(),
            body_ko: t.body_ko.clone(),
            body_en: t.body_en.clone(),
        })
        .collect()
}
