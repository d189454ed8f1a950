//! Times and numbers as the reader expects them: Korea time with the zone named; and
//! text for the inside of `<textarea>` and `<title>` (`rcdata`).

use crate::model::Lang;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Timelike, Utc};

/// Text to put inside a `<textarea>` or a `<title>`. Their content is text, not markup
/// ("escapable raw text" in the HTML standard), and Leptos 0.8 writes it into the server's
/// HTML as it is: tachys 0.2 declares `textarea` with `ESCAPE_CHILDREN = false`, and
/// leptos_meta pushes the title's text as it is. So an `&` there is a parse error, a body
/// containing `&amp;` would come back to the form as `&`, and `</textarea>` or `</title>` in
/// a staff-written text would end the element early. On the server this escapes `&` and `<`;
/// in the browser the text becomes a DOM text node (never parsed) and is left unchanged.
/// Drop it where Leptos starts escaping by itself (for `<textarea>`: leptos-rs/leptos#4821,
/// not in tachys 0.2.19), or text is escaped twice: end2end/tests/html-validate.spec.ts
/// checks that both come out escaped exactly once.
pub fn rcdata(text: String) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;").replace('<', "&lt;")
    } else {
        text
    }
}

/// Korea Standard Time, UTC+9 all year (no daylight saving since 1988).
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("valid offset")
}

pub fn to_kst(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&kst())
}

/// "2022년 10월 15일 15:29 KST" / "15 Oct 2022, 15:29 KST".
pub fn date_time(lang: Lang, at: DateTime<Utc>) -> String {
    let t = to_kst(at);
    match lang {
        Lang::Ko => format!(
            "{}년 {}월 {}일 {:02}:{:02} KST",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute()
        ),
        Lang::En => format!(
            "{} {} {}, {:02}:{:02} KST",
            t.day(),
            month_abbr(t.month()),
            t.year(),
            t.hour(),
            t.minute()
        ),
    }
}

/// "2022년 10월 15일" / "15 Oct 2022".
pub fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Ko => format!("{}년 {}월 {}일", d.year(), d.month(), d.day()),
        Lang::En => format!("{} {} {}", d.day(), month_abbr(d.month()), d.year()),
    }
}

/// "2022년 10월" / "October 2022".
pub fn month(lang: Lang, year: i32, month: u32) -> String {
    match lang {
        Lang::Ko => format!("{year}년 {month}월"),
        Lang::En => format!("{} {year}", month_name(month)),
    }
}

/// "5일 8시간 1분" / "5 d 8 h 1 min"; zero parts are left out.
pub fn duration(lang: Lang, d: TimeDelta) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let units: [(i64, &str, &str); 3] = [
        (days, "일", " d"),
        (hours, "시간", " h"),
        (mins, "분", " min"),
    ];
    let parts: Vec<String> = units
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, ko, en)| match lang {
            Lang::Ko => format!("{n}{ko}"),
            Lang::En => format!("{n}{en}"),
        })
        .collect();
    if parts.is_empty() {
        match lang {
            Lang::Ko => "1분 미만".into(),
            Lang::En => "under 1 min".into(),
        }
    } else {
        parts.join(" ")
    }
}

/// Availability, rounded down so that any downtime at all never shows as 100 %.
pub fn percent(value: f64) -> String {
    if value >= 100.0 {
        "100%".into()
    } else {
        format!("{:.2}%", (value * 100.0).floor() / 100.0)
    }
}

/// The machine-readable form for `<time datetime>`: UTC, RFC 3339.
pub fn machine(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn month_abbr(m: u32) -> &'static str {
    &month_name(m)[..3]
}

fn month_name(m: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES[(m as usize).clamp(1, 12) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn text_inside_textarea_and_title_is_escaped_by_the_server_only() {
        let text = "SK C&C </textarea><b>".to_string();
        let expected = if cfg!(feature = "ssr") {
            "SK C&amp;C &lt;/textarea>&lt;b>"
        } else {
            "SK C&C </textarea><b>"
        };
        assert_eq!(rcdata(text), expected);
    }

    #[test]
    fn times_are_shown_in_korea_time_with_the_zone_named() {
        let fire = Utc.with_ymd_and_hms(2022, 10, 15, 6, 29, 0).unwrap();
        assert_eq!(date_time(Lang::Ko, fire), "2022년 10월 15일 15:29 KST");
        assert_eq!(date_time(Lang::En, fire), "15 Oct 2022, 15:29 KST");
        assert_eq!(machine(fire), "2022-10-15T06:29:00Z");
    }

    #[test]
    fn durations_read_naturally() {
        let d = TimeDelta::minutes(127 * 60 + 30);
        assert_eq!(duration(Lang::Ko, d), "5일 7시간 30분");
        assert_eq!(duration(Lang::En, d), "5 d 7 h 30 min");
        assert_eq!(duration(Lang::En, TimeDelta::minutes(22)), "22 min");
        assert_eq!(duration(Lang::Ko, TimeDelta::seconds(20)), "1분 미만");
    }

    #[test]
    fn percentages_never_round_up_to_a_perfect_day() {
        assert_eq!(percent(100.0), "100%");
        assert_eq!(percent(99.9999), "99.99%");
        assert_eq!(percent(99.989), "99.98%");
        assert_eq!(percent(90.0), "90.00%");
    }
}
