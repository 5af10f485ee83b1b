//! Gauss–Legendre quadrature rules.

/// Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1].
#[derive(Debug, Clone)]
pub struct GaussLegendre {
    pub nodes: Vec<f64>,
    pub weights: Vec<f64>,
}

impl GaussLegendre {
    /// Computes the rule by Newton iteration on the Legendre polynomial P_n,
    /// started from the asymptotic estimate of each root; converges to
    /// machine precision in a few steps for any n ≥ 1.
    pub fn new(n: usize) -> Self {
        let n = n.max(1);
        let mut nodes = vec![0.0; n];
        let mut weights = vec![0.0; n];
        for i in 0..n.div_ceil(2) {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                let (value, slope) = legendre(n, x);
                derivative = slope;
                let step = value / slope;
                x -= step;
                if step.abs() < 1e-16 {
                    break;
                }
            }
            let (_, slope) = legendre(n, x);
            derivative = if slope != 0.0 { slope } else { derivative };
            let weight = 2.0 / ((1.0 - x * x) * derivative * derivative);
            nodes[i] = -x;
            nodes[n - 1 - i] = x;
            weights[i] = weight;
            weights[n - 1 - i] = weight;
        }
        Self { nodes, weights }
    }

    /// Integrates `f` over [a, b].
    pub fn integrate(&self, a: f64, b: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
        let half = 0.5 * (b - a);
        let mid = 0.5 * (a + b);
        let mut sum = 0.0;
        for (node, weight) in self.nodes.iter().zip(&self.weights) {
            sum += weight * f(mid + half * node);
        }
        sum * half
    }
}

/// Returns P_n(x) and P_n'(x) from the three-term recurrence.
fn legendre(n: usize, x: f64) -> (f64, f64) {
    let mut p_prev = 1.0;
    let mut p = x;
    for k in 2..=n {
        let k = k as f64;
        let next = ((2.0 * k - 1.0) * x * p - (k - 1.0) * p_prev) / k;
        p_prev = p;
        p = next;
    }
    if n == 0 {
        return (1.0, 0.0);
    }
    let slope = n as f64 * (x * p - p_prev) / (x * x - 1.0);
    (p, slope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_for_polynomials() {
        // An n-point rule integrates degree 2n − 1 exactly.
        for n in [1, 2, 5, 16, 40] {
            let rule = GaussLegendre::new(n);
            let degree = 2 * n as i32 - 1;
            let integral = rule.integrate(0.0, 2.0, |x| x.powi(degree));
            let expected = 2f64.powi(degree + 1) / f64::from(degree + 1);
            assert!((integral / expected - 1.0).abs() < 1e-13, "n = {n}: {integral} vs {expected}");
        }
    }

    #[test]
    fn weights_sum_to_two() {
        let rule = GaussLegendre::new(24);
        let sum: f64 = rule.weights.iter().sum();
        assert!((sum - 2.0).abs() < 1e-14);
    }
}
