//! Which entry of a provider's state table a state name means, and with which params: pure
//! rules, no I/O, each case a unit test below.
//!
//! An entry is a template: `an item with id {item_id} has {quantity} units in stock`. A pact
//! names it either **literally**, with the values in `params` (what pact_consumer's `given_with_params`
//! and this workspace's tests write), or **concretely**, with the values written into the name:
//! `an item with id 3 has 10 units in stock` (what most Pact guides show, and the only form a
//! Pact V2 file can carry). Values are typed by the table; params sent beside a concrete name
//! must agree with it. Nothing is guessed: a name that fits two readings is refused.

use std::fmt;

use serde_json::{Map, Number, Value};

use super::{Param, ParamKind, ProviderState};

/// A state change resolved against the table: the entry, and every param it declares, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub state: &'static ProviderState,
    pub params: Map<String, Value>,
}

/// Why a state name and its params do not name exactly one entry of the table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    #[error(
        "unknown provider state {name:?}: name a state by its template (with \"params\") or with the values written into it; known states: {known:?}"
    )]
    Unknown { name: String, known: Vec<&'static str> },
    #[error(
        "provider state {name:?} can be read in several ways ({readings}); send the template with \"params\" instead"
    )]
    Ambiguous { name: String, readings: String },
    #[error("provider state {template:?} needs param '{param}'")]
    MissingParam {
        template: &'static str,
        param: &'static str,
    },
    #[error("provider state {name:?}: param '{param}' must be {expected}, got {value}")]
    WrongType {
        name: String,
        param: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error("provider state {name:?}: param '{param}' is {in_name} in the state name but {in_params} in \"params\"")]
    Disagrees {
        name: String,
        param: &'static str,
        in_name: String,
        in_params: String,
    },
}

/// Resolves `name` (a template or a concrete name) and `params` against `table`.
pub fn resolve(
    table: &'static [ProviderState],
    name: &str,
    params: &Map<String, Value>,
) -> Result<Resolved, MatchError> {
    // 1. The template itself, with params.
    if let Some(state) = table.iter().find(|state| state.name == name) {
        let captures: Vec<_> = placeholders(state.name)
            .map(|param| (param, format!("{{{param}}}")))
            .collect();
        return typed(state, name, &captures, params);
    }
    // 2. A concrete name: every reading of it that types, across the table.
    let mut readings: Vec<Resolved> = Vec::new();
    let mut first_error = None;
    for state in table {
        for captures in captures(&segments(state.name), name) {
            let captures: Vec<_> = placeholders(state.name)
                .zip(captures.into_iter().map(str::to_owned))
                .collect();
            match typed(state, name, &captures, params) {
                Ok(resolved) if !readings.contains(&resolved) => readings.push(resolved),
                Ok(_) => {}
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
    }
    match readings.len() {
        1 => Ok(readings.remove(0)),
        0 => Err(first_error.unwrap_or_else(|| MatchError::Unknown {
            name: name.to_owned(),
            known: table.iter().map(|state| state.name).collect(),
        })),
        _ => Err(MatchError::Ambiguous {
            name: name.to_owned(),
            readings: readings.iter().map(describe).collect::<Vec<_>>().join("; "),
        }),
    }
}

/// Checks that every `{placeholder}` of each template is a declared param and the other way
/// round, that two placeholders never touch (a concrete name could not be split between them),
/// and that each entry's example name resolves to that entry alone.
pub fn check_table(table: &'static [ProviderState]) -> Result<(), String> {
    for state in table {
        let mut in_name: Vec<&str> = placeholders(state.name).collect();
        let mut declared: Vec<&str> = state.params.iter().map(|param| param.name).collect();
        in_name.sort_unstable();
        declared.sort_unstable();
        if in_name != declared {
            return Err(format!(
                "state {:?} names placeholders {in_name:?} but declares params {declared:?}",
                state.name
            ));
        }
        let parts = segments(state.name);
        if parts
            .windows(2)
            .any(|pair| matches!(pair, [Segment::Placeholder(_), Segment::Placeholder(_)]))
        {
            return Err(format!("state {:?} has two placeholders side by side", state.name));
        }
        let example = state.example();
        match resolve(table, &example, &Map::new()) {
            Ok(resolved) if resolved.state.name == state.name => {}
            Ok(other) => {
                return Err(format!(
                    "example {example:?} of state {:?} resolves to {:?}",
                    state.name, other.state.name
                ));
            }
            Err(error) => return Err(format!("example {example:?} of state {:?}: {error}", state.name)),
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Segment<'a> {
    Literal(&'a str),
    Placeholder(&'a str),
}

/// `a {b} c` → `Literal("a "), Placeholder("b"), Literal(" c")`.
fn segments(template: &str) -> Vec<Segment<'_>> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|close| open + close) else {
            break;
        };
        if open > 0 {
            parts.push(Segment::Literal(&rest[..open]));
        }
        parts.push(Segment::Placeholder(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Segment::Literal(rest));
    }
    parts
}

fn placeholders(template: &'static str) -> impl Iterator<Item = &'static str> {
    segments(template).into_iter().filter_map(|segment| match segment {
        Segment::Placeholder(name) => Some(name),
        Segment::Literal(_) => None,
    })
}

/// Every way to cut `name` so that the literals match and each placeholder gets a non-empty
/// part; the parts in placeholder order, shortest first.
fn captures<'n>(segments: &[Segment], name: &'n str) -> Vec<Vec<&'n str>> {
    match segments {
        [] if name.is_empty() => vec![vec![]],
        [] => vec![],
        [Segment::Literal(literal), rest @ ..] => match name.strip_prefix(literal) {
            Some(remainder) => captures(rest, remainder),
            None => vec![],
        },
        [Segment::Placeholder(_)] if !name.is_empty() => vec![vec![name]],
        [Segment::Placeholder(_)] => vec![],
        [Segment::Placeholder(_), rest @ ..] => {
            let Some(Segment::Literal(next)) = rest.first() else {
                return vec![]; // two placeholders side by side: check_table refuses such a template
            };
            name.match_indices(next)
                .filter(|(at, _)| *at > 0)
                .flat_map(|(at, _)| {
                    captures(rest, &name[at..]).into_iter().map(move |mut tail| {
                        tail.insert(0, &name[..at]);
                        tail
                    })
                })
                .collect()
        }
    }
}

/// A param's value, typed as the table declares it.
#[derive(Debug, Clone, PartialEq)]
enum Typed {
    Integer(i64),
    Number(f64),
    Text(String),
}

impl Typed {
    /// From the text written into a state name.
    fn from_name(kind: ParamKind, text: &str) -> Option<Typed> {
        match kind {
            ParamKind::Integer => text.parse().ok().map(Typed::Integer),
            ParamKind::Number => decimal(text).map(Typed::Number),
            ParamKind::Text => Some(Typed::Text(unquoted(text).to_owned())),
        }
    }

    /// From `params`; numbers may come as text (the query-string form sends only text).
    fn from_param(kind: ParamKind, value: &Value) -> Option<Typed> {
        match (kind, value) {
            (ParamKind::Integer, Value::Number(number)) => number.as_i64().map(Typed::Integer),
            (ParamKind::Number, Value::Number(number)) => number.as_f64().map(Typed::Number),
            (ParamKind::Text, Value::String(text)) => Some(Typed::Text(text.clone())),
            (ParamKind::Integer | ParamKind::Number, Value::String(text)) => Typed::from_name(kind, text),
            _ => None,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Typed::Integer(value) => Value::from(*value),
            Typed::Number(value) => Number::from_f64(*value).map_or(Value::Null, Value::Number),
            Typed::Text(value) => Value::from(value.as_str()),
        }
    }
}

impl fmt::Display for Typed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

/// A decimal as people write one (`0.2`, `-3`, `1e3`): not `inf` or `NaN`, which Rust's
/// float parser would take.
fn decimal(text: &str) -> Option<f64> {
    let looks_decimal =
        text.bytes().any(|b| b.is_ascii_digit()) && text.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    looks_decimal.then(|| text.parse().ok()).flatten()
}

/// `"Blue mug"` and `'Blue mug'` name the same text as `Blue mug`.
fn unquoted(text: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner;
        }
    }
    text
}

/// Types one reading: `captures` pairs each placeholder with the text in the name, which is the
/// placeholder itself (`{item_id}`) where the value is to come from `params`.
fn typed(
    state: &'static ProviderState,
    name: &str,
    captures: &[(&'static str, String)],
    params: &Map<String, Value>,
) -> Result<Resolved, MatchError> {
    let mut resolved = params.clone();
    for (param_name, text) in captures {
        let param = declared(state, param_name);
        let from_params = |value: &Value| {
            Typed::from_param(param.kind, value).ok_or_else(|| MatchError::WrongType {
                name: name.to_owned(),
                param: param.name,
                expected: param.kind.description(),
                value: value.to_string(),
            })
        };
        let value = if *text == format!("{{{param_name}}}") {
            let value = params.get(param.name).ok_or(MatchError::MissingParam {
                template: state.name,
                param: param.name,
            })?;
            from_params(value)?
        } else {
            let value = Typed::from_name(param.kind, text).ok_or_else(|| MatchError::WrongType {
                name: name.to_owned(),
                param: param.name,
                expected: param.kind.description(),
                value: format!("{text:?}"),
            })?;
            if let Some(sent) = params.get(param.name) {
                let sent = from_params(sent)?;
                if sent != value {
                    return Err(MatchError::Disagrees {
                        name: name.to_owned(),
                        param: param.name,
                        in_name: value.to_string(),
                        in_params: sent.to_string(),
                    });
                }
            }
            value
        };
        resolved.insert(param.name.to_owned(), value.to_json());
    }
    Ok(Resolved {
        state,
        params: resolved,
    })
}

fn declared(state: &ProviderState, name: &str) -> Param {
    state
        .params
        .iter()
        .find(|param| param.name == name)
        .copied()
        // An undeclared placeholder is read as text; check_table (run by every provider's
        // tests) refuses such a table.
        .unwrap_or(Param::text("", ""))
}

fn describe(resolved: &Resolved) -> String {
    let values: Vec<String> = resolved
        .state
        .params
        .iter()
        .map(|param| format!("{}={}", param.name, resolved.params[param.name]))
        .collect();
    format!("{:?} with {}", resolved.state.name, values.join(", "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const IN_STOCK: &str = "an item with id {item_id} has {quantity} units in stock";
    const PRICE_AND_TAX: &str = "an item with id {item_id} has price {price} and tax {tax}";
    const NO_TAX: &str = "an item with id {item_id} has price {price} and no tax";
    const NAMED: &str = "an item with id {item_id} exists with name {name}";
    const NO_ITEM: &str = "no item with id {item_id} exists";
    const TWO_TEXTS: &str = "a pair {left} and {right}";

    static TABLE: &[ProviderState] = &[
        ProviderState {
            name: IN_STOCK,
            params: &[Param::integer("item_id", "2"), Param::integer("quantity", "10")],
            effect: "",
        },
        ProviderState {
            name: PRICE_AND_TAX,
            params: &[
                Param::integer("item_id", "3"),
                Param::integer("price", "999"),
                Param::number("tax", "0.2"),
            ],
            effect: "",
        },
        ProviderState {
            name: NO_TAX,
            params: &[Param::integer("item_id", "3"), Param::integer("price", "150")],
            effect: "",
        },
        ProviderState {
            name: NAMED,
            params: &[Param::integer("item_id", "5"), Param::text("name", "Blue mug")],
            effect: "",
        },
        ProviderState {
            name: NO_ITEM,
            params: &[Param::integer("item_id", "42")],
            effect: "",
        },
    ];

    /// A table whose second text placeholder makes some names readable two ways.
    static AMBIGUOUS_TABLE: &[ProviderState] = &[ProviderState {
        name: TWO_TEXTS,
        params: &[Param::text("left", "a"), Param::text("right", "b")],
        effect: "",
    }];

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().expect("an object").clone()
    }

    #[test]
    fn names_resolve_to_one_state_with_typed_params() {
        let cases: &[(&str, Value, &str, Value)] = &[
            // The template with params (numbers may come as text).
            (
                IN_STOCK,
                json!({"item_id": 2, "quantity": "10"}),
                IN_STOCK,
                json!({"item_id": 2, "quantity": 10}),
            ),
            // Concrete names, without params.
            (
                "an item with id 2 has 10 units in stock",
                json!({}),
                IN_STOCK,
                json!({"item_id": 2, "quantity": 10}),
            ),
            (
                "an item with id 3 has price 999 and tax 0.2",
                json!({}),
                PRICE_AND_TAX,
                json!({"item_id": 3, "price": 999, "tax": 0.2}),
            ),
            (
                "an item with id 7 has price 150 and no tax",
                json!({}),
                NO_TAX,
                json!({"item_id": 7, "price": 150}),
            ),
            ("no item with id 42 exists", json!({}), NO_ITEM, json!({"item_id": 42})),
            // Negative numbers, and decimals written several ways.
            (
                "an item with id -1 has -5 units in stock",
                json!({}),
                IN_STOCK,
                json!({"item_id": -1, "quantity": -5}),
            ),
            (
                "an item with id 3 has price 999 and tax 1e-1",
                json!({}),
                PRICE_AND_TAX,
                json!({"item_id": 3, "price": 999, "tax": 0.1}),
            ),
            (
                "an item with id 3 has price 999 and tax 1",
                json!({}),
                PRICE_AND_TAX,
                json!({"item_id": 3, "price": 999, "tax": 1.0}),
            ),
            // Text with spaces, quoted or not, even containing the template's own words.
            (
                "an item with id 5 exists with name Blue mug",
                json!({}),
                NAMED,
                json!({"item_id": 5, "name": "Blue mug"}),
            ),
            (
                "an item with id 5 exists with name \"Blue mug\"",
                json!({}),
                NAMED,
                json!({"item_id": 5, "name": "Blue mug"}),
            ),
            (
                "an item with id 5 exists with name 'Blue mug'",
                json!({}),
                NAMED,
                json!({"item_id": 5, "name": "Blue mug"}),
            ),
            (
                "an item with id 5 exists with name it exists with name",
                json!({}),
                NAMED,
                json!({"item_id": 5, "name": "it exists with name"}),
            ),
            // Concrete names with params that agree (as text or numbers; 0.20 is 0.2).
            (
                "an item with id 3 has price 999 and tax 0.2",
                json!({"item_id": 3, "price": 999, "tax": 0.2}),
                PRICE_AND_TAX,
                json!({"item_id": 3, "price": 999, "tax": 0.2}),
            ),
            (
                "an item with id 3 has price 999 and tax 0.20",
                json!({"item_id": "3", "tax": "0.2"}),
                PRICE_AND_TAX,
                json!({"item_id": 3, "price": 999, "tax": 0.2}),
            ),
            // Partly filled in: the rest from params.
            (
                "an item with id {item_id} has 10 units in stock",
                json!({"item_id": 2}),
                IN_STOCK,
                json!({"item_id": 2, "quantity": 10}),
            ),
            // Params the state does not declare are passed on untouched.
            (
                "no item with id 42 exists",
                json!({"reason": "gone"}),
                NO_ITEM,
                json!({"item_id": 42, "reason": "gone"}),
            ),
        ];
        for (name, sent, state, expected) in cases {
            let resolved = resolve(TABLE, name, &params(sent.clone()))
                .unwrap_or_else(|error| panic!("{name:?} with {sent}: {error}"));
            assert_eq!(resolved.state.name, *state, "{name:?}");
            assert_eq!(Value::Object(resolved.params), *expected, "{name:?} with {sent}");
        }
    }

    #[test]
    fn names_that_do_not_resolve_say_why() {
        let cases: &[(&str, Value, &str)] = &[
            (
                "the moon is made of cheese",
                json!({}),
                "unknown provider state \"the moon is made of cheese\"",
            ),
            ("an item with id 3", json!({}), "unknown provider state"),
            ("no item with id  exists", json!({}), "unknown provider state"),
            (
                "an item with id abc has 5 units in stock",
                json!({}),
                "param 'item_id' must be an integer, got \"abc\"",
            ),
            (
                "an item with id 2 has ten units in stock",
                json!({}),
                "param 'quantity' must be an integer, got \"ten\"",
            ),
            (
                "an item with id 2 has 1.5 units in stock",
                json!({}),
                "param 'quantity' must be an integer",
            ),
            (
                "an item with id 3 has price 999 and tax inf",
                json!({}),
                "param 'tax' must be a number, got \"inf\"",
            ),
            (
                "an item with id 3 has price 999 and tax NaN",
                json!({}),
                "param 'tax' must be a number",
            ),
            (
                IN_STOCK,
                json!({"item_id": 2}),
                "provider state \"an item with id {item_id} has {quantity} units in stock\" needs param 'quantity'",
            ),
            (
                IN_STOCK,
                json!({"item_id": "two", "quantity": 1}),
                "param 'item_id' must be an integer, got \"two\"",
            ),
            (
                NAMED,
                json!({"item_id": 5, "name": 7}),
                "param 'name' must be a string, got 7",
            ),
            (
                "an item with id 3 has price 999 and tax 0.2",
                json!({"price": 1000}),
                "param 'price' is 999 in the state name but 1000 in \"params\"",
            ),
            (
                "an item with id 5 exists with name Blue mug",
                json!({"name": "Red mug"}),
                "param 'name' is \"Blue mug\" in the state name but \"Red mug\" in \"params\"",
            ),
            (
                "an item with id 3 has price 999 and tax 0.2",
                json!({"tax": "a lot"}),
                "param 'tax' must be a number, got \"a lot\"",
            ),
        ];
        for (name, sent, message) in cases {
            let error = resolve(TABLE, name, &params(sent.clone())).expect_err(name);
            let text = error.to_string();
            assert!(
                text.contains(message),
                "{name:?} with {sent}: {text:?} should say {message:?}"
            );
        }
    }

    #[test]
    fn an_unknown_state_lists_the_known_templates() {
        let error = resolve(TABLE, "nothing like it", &Map::new()).unwrap_err();
        let MatchError::Unknown { known, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(known, &[IN_STOCK, PRICE_AND_TAX, NO_TAX, NAMED, NO_ITEM]);
        assert!(error.to_string().contains("with the values written into it"), "{error}");
    }

    #[test]
    fn a_name_read_two_ways_is_refused_never_guessed() {
        let error = resolve(AMBIGUOUS_TABLE, "a pair x and y and z", &Map::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "provider state \"a pair x and y and z\" can be read in several ways \
             (\"a pair {left} and {right}\" with left=\"x\", right=\"y and z\"; \
             \"a pair {left} and {right}\" with left=\"x and y\", right=\"z\"); \
             send the template with \"params\" instead"
        );
        // Params that pick one reading settle it; the template with params always works.
        let settled = resolve(
            AMBIGUOUS_TABLE,
            "a pair x and y and z",
            &params(json!({"left": "x and y"})),
        )
        .unwrap();
        assert_eq!(settled.params["right"], "z");
        let literal = resolve(AMBIGUOUS_TABLE, TWO_TEXTS, &params(json!({"left": "x", "right": "y"}))).unwrap();
        assert_eq!(literal.params["left"], "x");
        // One reading only: no ambiguity.
        assert_eq!(
            resolve(AMBIGUOUS_TABLE, "a pair x and y", &Map::new()).unwrap().params["right"],
            "y"
        );
    }

    #[test]
    fn template_parts_and_captures() {
        assert_eq!(
            segments("a {b} c {d}"),
            [
                Segment::Literal("a "),
                Segment::Placeholder("b"),
                Segment::Literal(" c "),
                Segment::Placeholder("d")
            ]
        );
        let parts = segments("id {id} name {name} end");
        assert_eq!(captures(&parts, "id 1 name x end"), [vec!["1", "x"]]);
        assert_eq!(
            captures(&parts, "id 1 name 2 name x end"),
            [vec!["1", "2 name x"], vec!["1 name 2", "x"]]
        );
        assert!(
            captures(&parts, "id  name x end").is_empty(),
            "empty values are no values"
        );
        assert!(captures(&parts, "id 1 name x end!").is_empty());
    }

    #[test]
    fn the_test_table_is_consistent_and_bad_tables_are_caught() {
        check_table(TABLE).unwrap();
        static UNDECLARED: &[ProviderState] = &[ProviderState {
            name: "an item {item_id} of {colour}",
            params: &[Param::integer("item_id", "1")],
            effect: "",
        }];
        assert!(
            check_table(UNDECLARED)
                .unwrap_err()
                .contains("[\"colour\", \"item_id\"]")
        );
        static TOUCHING: &[ProviderState] = &[ProviderState {
            name: "{a}{b}",
            params: &[Param::text("a", "x"), Param::text("b", "y")],
            effect: "",
        }];
        assert!(check_table(TOUCHING).unwrap_err().contains("side by side"));
        static CLASHING: &[ProviderState] = &[
            ProviderState {
                name: "stock {n}",
                params: &[Param::text("n", "1")],
                effect: "",
            },
            ProviderState {
                name: "stock {id}",
                params: &[Param::integer("id", "1")],
                effect: "",
            },
        ];
        assert!(check_table(CLASHING).unwrap_err().contains("several ways"));
    }
}
