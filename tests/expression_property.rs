//! Property test of the expression compiler's reuse of repeated
//! subexpressions: an expression evaluates to the same bits as the same
//! expression with every parenthesis made unique, which reuses nothing.

use deepxs::expr::Expression;
use proptest::prelude::*;

const VARIABLES: [&str; 3] = ["a", "b", "c"];

fn resolve(name: &str) -> Option<usize> {
    VARIABLES.iter().position(|&known| known == name)
}

/// Expression texts over a, b and c in which subexpressions repeat.
fn expression_strategy() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0usize..3).prop_map(|index| VARIABLES[index].to_string()),
        (-4i32..5).prop_map(|value| format!("{}", f64::from(value) * 0.75)),
    ];
    leaf.prop_recursive(5, 48, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone(), 0usize..5).prop_map(|(left, right, op)| format!("({left}) {} ({right})", ["+", "-", "*", "/", "^"][op])),
            (inner.clone(), 0usize..4).prop_map(|(argument, function)| format!("{}({argument})", ["exp", "log", "abs", "sqrt"][function])),
            (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(left, right, min)| format!("{}({left}, {right})", if min { "min" } else { "max" })),
            // The same subexpression twice, inside and outside a call.
            (inner.clone(), 0usize..3).prop_map(|(repeated, form)| match form {
                0 => format!("({repeated}) * ({repeated})"),
                1 => format!("exp(({repeated})) - ({repeated})"),
                _ => format!("max(({repeated}), -({repeated}))"),
            }),
        ]
    })
}

/// Inserts a different number of spaces after every '(' so that no two
/// parenthesised texts are equal.
fn without_repeats(text: &str) -> String {
    let mut unique = String::with_capacity(text.len() * 2);
    let mut count = 0;
    for character in text.chars() {
        unique.push(character);
        if character == '(' {
            count += 1;
            unique.push_str(&" ".repeat(count));
        }
    }
    unique
}

proptest! {
    #[test]
    fn reuse_keeps_every_value(text in expression_strategy(), a in -3.0f64..3.0, b in -3.0f64..3.0, c in 0.0f64..5.0) {
        let reused = Expression::compile(&text, &resolve).expect("generated expressions parse");
        let plain = Expression::compile(&without_repeats(&text), &resolve).expect("spaces keep the expression valid");
        let values = [a, b, c];
        let (left, right) = (reused.evaluate(&values), plain.evaluate(&values));
        prop_assert!(left.to_bits() == right.to_bits() || (left.is_nan() && right.is_nan()), "{text}: {left} against {right}");
    }
}
