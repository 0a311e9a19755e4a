//! What changed between two pacts: a line diff of their pretty-printed JSON (interaction `_id`s
//! left out: they follow from the content), in hunks with a few lines of context, `-` for lines
//! only in the old pact and `+` for lines only in the new one.

use serde_json::Value;

/// Unchanged lines shown around each change.
const CONTEXT: usize = 3;

fn without_ids(mut pact: Value) -> Value {
    for key in ["interactions", "messages"] {
        if let Some(list) = pact.get_mut(key).and_then(Value::as_array_mut) {
            for interaction in list {
                if let Some(object) = interaction.as_object_mut() {
                    object.remove("_id");
                }
            }
        }
    }
    pact
}

fn lines(pact: &Value) -> Vec<String> {
    serde_json::to_string_pretty(&without_ids(pact.clone()))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

/// The edits turning `old` into `new`, by longest common subsequence.
fn edits(old: &[String], new: &[String]) -> Vec<Edit> {
    let (n, m) = (old.len(), new.len());
    // common[i][j]: length of the LCS of old[i..] and new[j..].
    let mut common = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(n.max(m)));
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            out.push(Edit::Same(i, j));
            (i, j) = (i + 1, j + 1);
        } else if j < m && (i == n || common[i][j + 1] >= common[i + 1][j]) {
            out.push(Edit::Added(j));
            j += 1;
        } else {
            out.push(Edit::Removed(i));
            i += 1;
        }
    }
    out
}

/// The diff from `old` to `new`; empty when they are the same.
pub fn diff(old: &Value, new: &Value) -> String {
    let (old, new) = (lines(old), lines(new));
    let edits = edits(&old, &new);
    let changed: Vec<usize> = edits
        .iter()
        .enumerate()
        .filter(|(_, e)| !matches!(e, Edit::Same(..)))
        .map(|(k, _)| k)
        .collect();
    let shown = |k: usize| changed.iter().any(|c| c.abs_diff(k) <= CONTEXT);
    let mut out = String::new();
    let mut gap = false;
    for (k, edit) in edits.iter().enumerate() {
        if !shown(k) {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push_str("...\n");
        }
        gap = false;
        let line = match *edit {
            Edit::Same(i, _) => format!("  {}", old[i]),
            Edit::Removed(i) => format!("- {}", old[i]),
            Edit::Added(j) => format!("+ {}", new[j]),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diffs_show_what_changed_with_context() {
        let old = json!({"interactions": [{"_id": "a", "description": "get item", "response": {"status": 200}}]});
        let changed = json!({"interactions": [{"_id": "b", "description": "get item", "response": {"status": 404}}]});
        let added = json!({"interactions": [
            {"_id": "a", "description": "get item", "response": {"status": 200}},
            {"_id": "c", "description": "list items", "response": {"status": 200}}
        ]});
        let cases = [
            ("same content", &old, vec![]),
            (
                "ids alone do not count",
                &json!({"interactions": [{"_id": "z", "description": "get item", "response": {"status": 200}}]}),
                vec![],
            ),
            (
                "a changed status",
                &changed,
                vec!["-         \"status\": 200", "+         \"status\": 404"],
            ),
            (
                "an added interaction",
                &added,
                vec!["+       \"description\": \"list items\","],
            ),
        ];
        for (name, new, expected) in cases {
            let text = diff(&old, new);
            let changes: Vec<&str> = text.lines().filter(|l| l.starts_with(['-', '+'])).collect();
            if expected.is_empty() {
                assert_eq!(text, "", "{name}");
            } else {
                for line in expected {
                    assert!(changes.contains(&line), "{name}: {line:?} in\n{text}");
                }
                assert!(text.contains("  "), "{name}: context lines shown");
            }
        }
    }

    #[test]
    fn far_apart_changes_are_separate_hunks() {
        let old: Value = json!({"a": (0..20).collect::<Vec<_>>()});
        let mut items: Vec<i32> = (0..20).collect();
        items[1] = 100;
        items[18] = 200;
        let text = diff(&old, &json!({"a": items}));
        assert!(text.contains("...\n"), "{text}");
        assert!(text.contains("+     100,") && text.contains("+     200,"), "{text}");
    }
}
