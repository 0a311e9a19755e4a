//! Badges as the official broker shows them (shields.io's flat style), drawn here as SVG with
//! no network: a grey label and a coloured message.

use super::pages::escape;

/// What a badge reports, and its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    Failure,
    Unknown,
}

impl Status {
    pub fn from_outcome(outcome: Option<bool>) -> Self {
        match outcome {
            Some(true) => Status::Success,
            Some(false) => Status::Failure,
            None => Status::Unknown,
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Status::Success => "#4c1",
            Status::Failure => "#e05d44",
            Status::Unknown => "#9f9f9f",
        }
    }
}

/// The message of a pact or matrix badge.
pub fn verification_message(status: Status) -> &'static str {
    match status {
        Status::Success => "verified",
        Status::Failure => "failed",
        Status::Unknown => "unknown",
    }
}

/// The message of a can-i-deploy badge.
pub fn deploy_message(status: Status) -> &'static str {
    match status {
        Status::Success => "yes",
        Status::Failure => "no",
        Status::Unknown => "unknown",
    }
}

/// Approximate width of text at 11px Verdana, as shields.io sizes it.
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' | ' ' => 4,
            'm' | 'w' | 'M' | 'W' => 10,
            c if c.is_ascii_uppercase() => 8,
            _ => 7,
        })
        .sum()
}

/// A flat badge: `label` on grey, `message` on the status colour.
pub fn badge(label: &str, message: &str, status: Status) -> String {
    let (left, right) = (text_width(label) + 10, text_width(message) + 10);
    let total = left + right;
    let (label, message) = (escape(label), escape(message));
    let colour = status.colour();
    let (label_x, message_x) = (left * 5, left * 10 + right * 5);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{label}: {message}"><title>{label}: {message}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/><rect width="{total}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="110"><text x="{label_x}" y="140" transform="scale(.1)">{label}</text><text x="{message_x}" y="140" transform="scale(.1)">{message}</text></g></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_show_label_message_and_colour() {
        let cases = [
            (Status::from_outcome(Some(true)), "verified", "#4c1"),
            (Status::from_outcome(Some(false)), "failed", "#e05d44"),
            (Status::from_outcome(None), "unknown", "#9f9f9f"),
        ];
        for (status, message, colour) in cases {
            let svg = badge("Web/Api pact", verification_message(status), status);
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
            assert!(svg.contains(&format!(">{message}</text>")), "{svg}");
            assert!(svg.contains(&format!("fill=\"{colour}\"")), "{svg}");
            assert!(svg.contains(">Web/Api pact</text>"), "{svg}");
        }
        let svg = badge("<script>", "yes", Status::Success);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
        assert!(badge("a much longer label", "x", Status::Unknown).len() > badge("a", "x", Status::Unknown).len());
    }
}
