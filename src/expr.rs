//! Arithmetic expressions for network features and output maps.
//!
//! Manifests describe a feature as an expression over the input columns
//! (`N23^2-N24^2`, `abs(m_chi20)`) and an output map as an expression in the
//! raw network output `y` (`sigma_pb = exp(y - 14.92)`), so a new network set
//! needs no code change. Grammar: numbers, variables, `+ - * / ^`, unary
//! minus, parentheses, the functions `exp`, `log` (natural), `abs`, `sqrt`
//! and the two-argument `min(a, b)` and `max(a, b)`, which return NaN when
//! either argument is NaN. Expressions compile to a small stack program.
//!
//! A parenthesised subexpression or function call whose text occurs again
//! is computed once per evaluation: the program stores its first value and
//! loads it at every later occurrence. The output maps of structured
//! networks repeat their mass factors and weights term by term.

use crate::error::WeightsError;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Constant(f64),
    Variable(usize),
    Add,
    Subtract,
    Multiply,
    Divide,
    Power,
    Negate,
    Exp,
    Log,
    Abs,
    Sqrt,
    Min,
    Max,
    /// Copies the top of the stack into a slot and leaves it there.
    Store(usize),
    /// Pushes the value of a slot that an earlier `Store` filled.
    Load(usize),
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    text: String,
    program: Vec<Op>,
    max_depth: usize,
    /// Number of slots that `Store` and `Load` use.
    slots: usize,
}

/// Deepest nesting of parentheses, function calls, unary minus and powers
/// that [`Expression::compile`] accepts. The parser recurses once per
/// level, so the limit keeps a hostile manifest from overflowing the stack;
/// real features nest two or three levels.
pub const MAX_NESTING: usize = 64;

struct Parser<'a, 'r> {
    text: &'a str,
    position: usize,
    program: Vec<Op>,
    resolve: &'r dyn Fn(&str) -> Option<usize>,
    /// Current recursion depth of [`Parser::unary`].
    depth: usize,
    /// Slot of each parenthesised subexpression or function call seen so
    /// far, keyed by its source text.
    reused: std::collections::HashMap<&'a str, usize>,
}

impl Parser<'_, '_> {
    fn error(&self, detail: String) -> WeightsError {
        WeightsError::Expression { expression: self.text.to_string(), detail }
    }

    fn skip_space(&mut self) {
        // Step by whole characters: Unicode white space such as U+00A0 is
        // more than one byte long.
        while let Some(space) = self.text[self.position..].chars().next().filter(|c| c.is_whitespace()) {
            self.position += space.len_utf8();
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.text[self.position..].chars().next()
    }

    fn expect(&mut self, wanted: char) -> Result<(), WeightsError> {
        if self.peek() == Some(wanted) {
            self.position += wanted.len_utf8();
            Ok(())
        } else {
            Err(self.error(format!("expected '{wanted}' at position {}", self.position)))
        }
    }

    fn sum(&mut self) -> Result<(), WeightsError> {
        self.product()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.position += 1;
            self.product()?;
            self.program.push(if op == '+' { Op::Add } else { Op::Subtract });
        }
        Ok(())
    }

    fn product(&mut self) -> Result<(), WeightsError> {
        self.unary()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.position += 1;
            self.unary()?;
            self.program.push(if op == '*' { Op::Multiply } else { Op::Divide });
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<(), WeightsError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(format!("nested deeper than {MAX_NESTING} levels at position {}", self.position)));
        }
        let result = self.unary_unchecked();
        self.depth -= 1;
        result
    }

    fn unary_unchecked(&mut self) -> Result<(), WeightsError> {
        if self.peek() == Some('-') {
            self.position += 1;
            self.unary()?;
            self.program.push(Op::Negate);
            return Ok(());
        }
        self.atom()?;
        if self.peek() == Some('^') {
            self.position += 1;
            self.unary()?;
            self.program.push(Op::Power);
        }
        Ok(())
    }

    /// Parses an atom. A parenthesised subexpression or function call seen
    /// before with the same text is replaced by a load of its stored value.
    fn atom(&mut self) -> Result<(), WeightsError> {
        let start_op = self.program.len();
        self.skip_space();
        let start = self.position;
        let reusable = self.atom_uncached()?;
        if reusable {
            let text: &str = self.text;
            let key = &text[start..self.position];
            match self.reused.get(key) {
                Some(&slot) => {
                    self.program.truncate(start_op);
                    self.program.push(Op::Load(slot));
                }
                None => {
                    let slot = self.reused.len();
                    self.reused.insert(key, slot);
                    self.program.push(Op::Store(slot));
                }
            }
        }
        Ok(())
    }

    /// Parses an atom and returns whether it is a parenthesised
    /// subexpression or a function call.
    fn atom_uncached(&mut self) -> Result<bool, WeightsError> {
        let rest = &self.text[self.position..];
        match self.peek() {
            Some('(') => {
                self.position += 1;
                self.sum()?;
                self.expect(')')?;
                Ok(true)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let rest = &self.text[self.position..];
                let mut end = 0;
                let bytes = rest.as_bytes();
                while end < bytes.len() {
                    let byte = bytes[end];
                    let exponent_sign = (byte == b'+' || byte == b'-') && end > 0 && matches!(bytes[end - 1], b'e' | b'E');
                    if byte.is_ascii_digit() || byte == b'.' || byte == b'e' || byte == b'E' || exponent_sign {
                        end += 1;
                    } else {
                        break;
                    }
                }
                let number = &rest[..end];
                let value = number.parse::<f64>().map_err(|_| self.error(format!("invalid number '{number}'")))?;
                self.position += end;
                self.program.push(Op::Constant(value));
                Ok(false)
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let rest = &self.text[self.position..];
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                let name = &rest[..end];
                self.position += end;
                if self.peek() == Some('(') && matches!(name, "min" | "max") {
                    self.position += 1;
                    self.sum()?;
                    self.expect(',')?;
                    self.sum()?;
                    self.expect(')')?;
                    self.program.push(if name == "min" { Op::Min } else { Op::Max });
                    Ok(true)
                } else if self.peek() == Some('(') {
                    let function = match name {
                        "exp" => Op::Exp,
                        "log" | "ln" => Op::Log,
                        "abs" => Op::Abs,
                        "sqrt" => Op::Sqrt,
                        _ => return Err(self.error(format!("unknown function '{name}'"))),
                    };
                    self.position += 1;
                    self.sum()?;
                    self.expect(')')?;
                    self.program.push(function);
                    Ok(true)
                } else {
                    let index = (self.resolve)(name).ok_or_else(|| self.error(format!("unknown variable '{name}'")))?;
                    self.program.push(Op::Variable(index));
                    Ok(false)
                }
            }
            _ => Err(self.error(format!("unexpected text '{}'", rest.trim()))),
        }
    }
}

impl Expression {
    /// Compiles `text`; `resolve` maps a variable name to its index in the
    /// slice passed to [`Expression::evaluate`].
    pub fn compile(text: &str, resolve: &dyn Fn(&str) -> Option<usize>) -> Result<Self, WeightsError> {
        let mut parser = Parser { text, position: 0, program: Vec::new(), resolve, depth: 0, reused: std::collections::HashMap::new() };
        parser.sum()?;
        if parser.peek().is_some() {
            let rest = parser.text[parser.position..].to_string();
            return Err(parser.error(format!("unexpected text '{rest}' after the expression")));
        }
        let mut depth: usize = 0;
        let mut max_depth = 0;
        for op in &parser.program {
            match op {
                Op::Constant(_) | Op::Variable(_) | Op::Load(_) => depth += 1,
                Op::Add | Op::Subtract | Op::Multiply | Op::Divide | Op::Power | Op::Min | Op::Max => depth -= 1,
                Op::Negate | Op::Exp | Op::Log | Op::Abs | Op::Sqrt | Op::Store(_) => {}
            }
            max_depth = max_depth.max(depth);
        }
        let slots = parser.reused.len();
        Ok(Expression { text: text.to_string(), program: parser.program, max_depth, slots })
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Indices of the variables the expression reads.
    pub fn variables(&self) -> Vec<usize> {
        let mut variables: Vec<usize> =
            self.program.iter().filter_map(|op| if let Op::Variable(index) = op { Some(*index) } else { None }).collect();
        variables.sort_unstable();
        variables.dedup();
        variables
    }

    /// Evaluates the expression with the given variable values.
    pub fn evaluate(&self, variables: &[f64]) -> f64 {
        let mut stack: Vec<f64> = Vec::with_capacity(self.max_depth);
        let mut slots = vec![f64::NAN; self.slots];
        for op in &self.program {
            match *op {
                Op::Constant(value) => stack.push(value),
                Op::Variable(index) => stack.push(variables[index]),
                Op::Store(slot) => slots[slot] = stack.last().copied().unwrap_or(f64::NAN),
                Op::Load(slot) => stack.push(slots[slot]),
                Op::Negate | Op::Exp | Op::Log | Op::Abs | Op::Sqrt => {
                    let value = stack.pop().unwrap_or(f64::NAN);
                    stack.push(match *op {
                        Op::Negate => -value,
                        Op::Exp => value.exp(),
                        Op::Log => value.ln(),
                        Op::Abs => value.abs(),
                        _ => value.sqrt(),
                    });
                }
                binary => {
                    let right = stack.pop().unwrap_or(f64::NAN);
                    let left = stack.pop().unwrap_or(f64::NAN);
                    stack.push(match binary {
                        Op::Add => left + right,
                        Op::Subtract => left - right,
                        Op::Multiply => left * right,
                        Op::Divide => left / right,
                        // f64::min and f64::max would drop a NaN argument.
                        Op::Min | Op::Max if left.is_nan() || right.is_nan() => f64::NAN,
                        Op::Min => left.min(right),
                        Op::Max => left.max(right),
                        _ => left.powf(right),
                    });
                }
            }
        }
        stack.pop().unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> Expression {
        let names = ["y", "N23", "N24", "m_chi20"];
        Expression::compile(text, &|name| names.iter().position(|&known| known == name)).expect("valid expression")
    }

    #[test]
    fn precedence_and_functions() {
        let values = [0.5, 0.6, -0.7, -300.0];
        assert!((compile("N23^2-N24^2").evaluate(&values) - (0.36 - 0.49)).abs() < 1e-15);
        assert_eq!(compile("abs(m_chi20)").evaluate(&values), 300.0);
        assert!((compile("exp(3.5 * y - 4.9)").evaluate(&values) - (1.75f64 - 4.9).exp()).abs() < 1e-15);
        assert!((compile("y * 4.45e-02 + 3.1E-2").evaluate(&values) - (0.5 * 0.0445 + 0.031)).abs() < 1e-15);
        assert_eq!(compile("-2^2").evaluate(&values), -4.0);
        assert_eq!(compile("2 * (y + 1) / 3").evaluate(&values), 1.0);
        assert_eq!(compile("min(y, N23)").evaluate(&values), 0.5);
        assert_eq!(compile("max(y, N23 * 2)").evaluate(&values), 1.2);
        assert_eq!(compile("max(0.8, min(2, m_chi20))").evaluate(&values), 0.8);
        assert_eq!(compile("max(0.8, min(2, -m_chi20))").evaluate(&values), 2.0);
        assert!(compile("max(0.8, min(2, log(m_chi20)))").evaluate(&values).is_nan(), "a NaN argument stays NaN");
    }

    #[test]
    fn repeated_subexpressions_computed_once() {
        let values = [0.5, 0.6, -0.7, -300.0];
        let text = "exp(2 * y) * (N23 - N24) + exp(2 * y) / (N23 - N24) - max(y, (N23 - N24)) * ((N23 - N24))";
        let expression = compile(text);
        let difference = 0.6 - (-0.7);
        let expected = 1f64.exp() * difference + 1f64.exp() / difference - difference * difference;
        assert!((expression.evaluate(&values) - expected).abs() < 1e-12, "{}", expression.evaluate(&values));
        let loads = expression.program.iter().filter(|op| matches!(op, Op::Load(_))).count();
        assert_eq!(loads, 4, "exp(2 * y) once and (N23 - N24) three times: {:?}", expression.program);
        assert_eq!(expression.slots, 4, "exp(2 * y), (N23 - N24), max(…) and ((N23 - N24))");
        // A repeat inside a repeat: the inner one is loaded while the outer
        // one is parsed, then the outer one replaces it.
        let nested = compile("(y * (N23 + 1)) + (N23 + 1) + (y * (N23 + 1))");
        assert_eq!(nested.evaluate(&values), 0.5 * 1.6 + 1.6 + 0.5 * 1.6);
        assert_eq!(nested.program.iter().filter(|op| matches!(op, Op::Load(_))).count(), 2);
    }

    #[test]
    fn rejects_unknown_names_and_junk() {
        let resolve = |name: &str| (name == "y").then_some(0);
        assert!(Expression::compile("z + 1", &resolve).is_err());
        assert!(Expression::compile("foo(y)", &resolve).is_err());
        assert!(Expression::compile("y +", &resolve).is_err());
        assert!(Expression::compile("(y", &resolve).is_err());
        assert!(Expression::compile("min(y)", &resolve).is_err());
        assert!(Expression::compile("max(y, y, y)", &resolve).is_err());
        assert!(Expression::compile("exp(y, y)", &resolve).is_err());
        assert!(Expression::compile("y y", &resolve).is_err());
    }

    #[test]
    fn unicode_space_and_deep_nesting() {
        let resolve = |name: &str| (name == "y").then_some(0);
        let spaced = Expression::compile("y\u{a0}+\u{3000}1", &resolve).expect("Unicode spaces are white space");
        assert_eq!(spaced.evaluate(&[2.0]), 3.0);
        let nested = format!("{}y{}", "(".repeat(MAX_NESTING - 1), ")".repeat(MAX_NESTING - 1));
        assert_eq!(Expression::compile(&nested, &resolve).expect("within the limit").evaluate(&[2.0]), 2.0);
        for deep in [format!("{}y", "(".repeat(100_000)), format!("{}y", "-".repeat(100_000)), format!("y{}", "^y".repeat(100_000))] {
            let error = Expression::compile(&deep, &resolve).expect_err("too deep");
            assert!(error.to_string().contains("nested deeper than 64 levels"), "{error}");
        }
    }
}
