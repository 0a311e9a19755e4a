//! Matchers pact_consumer has no macro for: a value that must be an integer, or a decimal
//! number, whatever its value. Use them inside `json_pattern!` like `like!`:
//! `json_pattern!({ "price": integer(1299), "tax": decimal(0.2) })`.

use pact_consumer::patterns::{JsonPattern, Pattern};
use pact_models::matchingrules::{MatchingRule, MatchingRuleCategory, RuleLogic};
use pact_models::path_exp::DocPath;
use serde_json::{Value, json};

/// Any integer; `example` is what the mock server answers.
pub fn integer(example: i64) -> JsonPattern {
    JsonPattern::pattern(NumberRule {
        example: json!(example),
        rule: MatchingRule::Integer,
    })
}

/// Any number with a fractional part; `example` is what the mock server answers.
pub fn decimal(example: f64) -> JsonPattern {
    JsonPattern::pattern(NumberRule {
        example: json!(example),
        rule: MatchingRule::Decimal,
    })
}

#[derive(Debug)]
struct NumberRule {
    example: Value,
    rule: MatchingRule,
}

impl Pattern for NumberRule {
    type Matches = Value;

    fn to_example(&self) -> Value {
        self.example.clone()
    }

    fn to_example_bytes(&self) -> Vec<u8> {
        self.example.to_string().into_bytes()
    }

    fn extract_matching_rules(&self, path: DocPath, rules_out: &mut MatchingRuleCategory) {
        rules_out.add_rule(path, self.rule.clone(), RuleLogic::And);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pact_consumer::{json_pattern, json_pattern_internal};

    #[test]
    fn integer_and_decimal_emit_their_rules_and_examples() {
        let pattern = json_pattern!({ "price": integer(1299), "tax": decimal(0.2) });
        assert_eq!(pattern.to_example(), json!({ "price": 1299, "tax": 0.2 }));
        let mut rules = MatchingRuleCategory::empty("body");
        pattern.extract_matching_rules(DocPath::root(), &mut rules);
        let rules = rules.to_v3_json();
        assert_eq!(
            rules["$.price"],
            json!({ "matchers": [{ "match": "integer" }], "combine": "AND" })
        );
        assert_eq!(
            rules["$.tax"],
            json!({ "matchers": [{ "match": "decimal" }], "combine": "AND" })
        );
    }
}
