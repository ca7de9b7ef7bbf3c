// The chart files generated from the code's own definitions, so the chart cannot drift from them: the CRD (from the
// zod schema), the RBAC rules (from operator/rbac.ts) and values.schema.json (from values-schema.ts).
import { join } from 'node:path';
import { stringify } from 'yaml';
import { inferenceServiceCrd } from '../crds/index.js';
import { LEADER_ELECTION_RULES, OPERATOR_WATCH_RULES, type PolicyRule } from '../operator/rbac.js';
import { chartValuesJsonSchema } from './values-schema.js';

export const CHART_DIR = join('charts', 'vernier');

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

const header = (source: string) => `{{- /* Generated from ${source} by \`npm run generate\`; edit the source, not this file. */}}\n`;

/** YAML text indented by `spaces`, for splicing into a template. */
function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

const yaml = (value: unknown) => stringify(value, { lineWidth: 0 });

/** The CRD behind crds.enabled, annotated helm.sh/resource-policy: keep when crds.keep (cert-manager's switches). */
export function crdTemplate(): string {
  const crd = inferenceServiceCrd();
  // Helm would read "{{" in a description as an action; the schema has none, and must keep it that way.
  const spec = yaml({ spec: crd.spec });
  if (spec.includes('{{')) throw new Error('the CRD contains "{{", which Helm would parse as a template action');
  return [
    header('crds/inferenceservice.ts'),
    '{{- if .Values.crds.enabled }}\n',
    `apiVersion: ${crd.apiVersion}\n`,
    `kind: ${crd.kind}\n`,
    'metadata:\n',
    `  name: ${crd.metadata.name}\n`,
    '  labels:\n',
    '    {{- include "vernier.labels" . | nindent 4 }}\n',
    '  {{- if .Values.crds.keep }}\n',
    '  annotations:\n',
    '    helm.sh/resource-policy: keep\n',
    '  {{- end }}\n',
    spec,
    '{{- end }}\n',
  ].join('');
}

const rulesYaml = (rules: readonly PolicyRule[]) =>
  indent(yaml(rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }))), 2);

/** The ClusterRole of everything the operator does in the namespaces it watches. */
export function clusterRoleTemplate(): string {
  return [
    header('operator/rbac.ts (OPERATOR_WATCH_RULES)'),
    '{{- if .Values.rbac.create }}\n',
    'apiVersion: rbac.authorization.k8s.io/v1\n',
    'kind: ClusterRole\n',
    'metadata:\n',
    '  name: {{ include "vernier.operatorName" . }}\n',
    '  labels:\n',
    '    {{- include "vernier.labels" . | nindent 4 }}\n',
    'rules:\n',
    `${rulesYaml(OPERATOR_WATCH_RULES)}\n`,
    '{{- end }}\n',
  ].join('');
}

/** The Role of leader election, in the Lease's namespace only. */
export function leaderElectionRoleTemplate(): string {
  return [
    header('operator/rbac.ts (LEADER_ELECTION_RULES)'),
    '{{- if and .Values.rbac.create .Values.leaderElection.enabled }}\n',
    'apiVersion: rbac.authorization.k8s.io/v1\n',
    'kind: Role\n',
    'metadata:\n',
    '  name: {{ include "vernier.operatorName" . }}-leader-election\n',
    '  namespace: {{ include "vernier.leaderElectionNamespace" . }}\n',
    '  labels:\n',
    '    {{- include "vernier.labels" . | nindent 4 }}\n',
    'rules:\n',
    `${rulesYaml(LEADER_ELECTION_RULES)}\n`,
    '{{- end }}\n',
  ].join('');
}

export function valuesSchemaJson(): string {
  return `${JSON.stringify(chartValuesJsonSchema(), null, 2)}\n`;
}

/** Every generated chart file, with its path under the repository root. */
export function generatedChartFiles(): GeneratedFile[] {
  const templates = join(CHART_DIR, 'templates');
  return [
    { path: join(templates, 'crd-inferenceservices.yaml'), content: crdTemplate() },
    { path: join(templates, 'clusterrole.yaml'), content: clusterRoleTemplate() },
    { path: join(templates, 'leader-election-role.yaml'), content: leaderElectionRoleTemplate() },
    { path: join(CHART_DIR, 'values.schema.json'), content: valuesSchemaJson() },
  ];
}
