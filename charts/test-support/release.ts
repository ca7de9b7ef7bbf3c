// The release the chart tests and the e2e install make of charts/vernier, and how to find its operator pods.

export const RELEASE = 'vernier';
export const RELEASE_NAMESPACE = 'vernier-system';
/** The operator Deployment's pod selector labels (the chart's vernier.selectorLabels), as a kubectl `-l` value. */
export const OPERATOR_SELECTOR = 'app.kubernetes.io/name=vernier,app.kubernetes.io/component=operator';
