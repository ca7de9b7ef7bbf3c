// Audit lines → operator requests → the figures of a window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuditLine, type OperatorRequest } from './audit-log.js';
import { requestRate, requestSplit, statusWritesToOthers } from './request-figures.js';

const OPERATOR = 'system:serviceaccount:vernier-system:vernier-operator';
const USER = `"user":{"username":"${OPERATOR}","uid":"2610220e-299b-466c-9ed7-de0e7d2e3b91","groups":["system:serviceaccounts","system:serviceaccounts:vernier-system","system:authenticated"]}`;
const ANNOTATIONS = `"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \\"vernier-operator-vernier-system\\""}`;

// As kube-apiserver writes them with --audit-log-format=json at Metadata level (trimmed of nothing that matters).
const LINES = [
  // A watch opening (ResponseStarted) and, later, closing (ResponseComplete): counted once, as a watch.
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"83685f72","stage":"ResponseStarted","requestURI":"/apis/batch/v1/jobs?timeoutSeconds=419\\u0026watch=true","verb":"watch",${USER},"sourceIPs":["127.0.0.1"],"objectRef":{"resource":"jobs","apiGroup":"batch","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-12-02T01:25:13.964441Z","stageTimestamp":"2026-12-02T01:25:13.966032Z",${ANNOTATIONS}}`,
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"83685f72","stage":"ResponseComplete","requestURI":"/apis/batch/v1/jobs?timeoutSeconds=419\\u0026watch=true","verb":"watch",${USER},"sourceIPs":["127.0.0.1"],"objectRef":{"resource":"jobs","apiGroup":"batch","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-12-02T01:25:13.964441Z","stageTimestamp":"2026-12-02T01:32:12.001000Z",${ANNOTATIONS}}`,
  // A GET answered 404: counted, and as failed.
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"5c4588c6","stage":"ResponseComplete","requestURI":"/apis/batch/v1/namespaces/scale-02/jobs/mlp-0003-bench-03465638ea","verb":"get",${USER},"sourceIPs":["127.0.0.1"],"objectRef":{"resource":"jobs","namespace":"scale-02","name":"mlp-0003-bench-03465638ea","apiGroup":"batch","apiVersion":"v1"},"responseStatus":{"metadata":{},"status":"Failure","reason":"NotFound","code":404},"requestReceivedTimestamp":"2026-12-02T01:25:14.270085Z","stageTimestamp":"2026-12-02T01:25:14.274695Z",${ANNOTATIONS}}`,
  // A status write (PUT → update) and an Event.
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"2a35b169","stage":"ResponseComplete","requestURI":"/apis/vernier.dev/v1alpha1/namespaces/scale-02/inferenceservices/mlp-0003/status","verb":"update",${USER},"sourceIPs":["127.0.0.1"],"objectRef":{"resource":"inferenceservices","namespace":"scale-02","name":"mlp-0003","apiGroup":"vernier.dev","apiVersion":"v1alpha1","subresource":"status"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-12-02T01:25:14.306778Z","stageTimestamp":"2026-12-02T01:25:14.312937Z",${ANNOTATIONS}}`,
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"d63bbf71","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/scale-02/events","verb":"create",${USER},"sourceIPs":["127.0.0.1"],"objectRef":{"resource":"events","namespace":"scale-02","name":"mlp-0003.c932ad6743e63f61","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestReceivedTimestamp":"2026-12-02T01:25:14.330139Z","stageTimestamp":"2026-12-02T01:25:14.332687Z",${ANNOTATIONS}}`,
  // A server-side apply (PATCH → patch) of a Deployment, and a status merge-patch of another object 20 s later.
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"9f1c0a11","stage":"ResponseComplete","requestURI":"/apis/apps/v1/namespaces/scale-02/deployments/mlp-0003?fieldManager=vernier-operator\\u0026force=true","verb":"patch",${USER},"sourceIPs":["127.0.0.1"],"objectRef":{"resource":"deployments","namespace":"scale-02","name":"mlp-0003","apiGroup":"apps","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-12-02T01:25:14.401002Z","stageTimestamp":"2026-12-02T01:25:14.409921Z",${ANNOTATIONS}}`,
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"77aa0b3c","stage":"ResponseComplete","requestURI":"/apis/vernier.dev/v1alpha1/namespaces/scale-07/inferenceservices/mlp-0008/status","verb":"patch",${USER},"sourceIPs":["127.0.0.1"],"objectRef":{"resource":"inferenceservices","namespace":"scale-07","name":"mlp-0008","apiGroup":"vernier.dev","apiVersion":"v1alpha1","subresource":"status"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-12-02T01:25:34.500000Z","stageTimestamp":"2026-12-02T01:25:34.507000Z",${ANNOTATIONS}}`,
  // Someone else (the admin polling): not the operator's.
  `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b0b0b0b","stage":"ResponseComplete","requestURI":"/apis/vernier.dev/v1alpha1/namespaces/scale-02/inferenceservices","verb":"list","user":{"username":"vernier-test-admin","groups":["system:masters","system:authenticated"]},"sourceIPs":["127.0.0.1"],"objectRef":{"resource":"inferenceservices","namespace":"scale-02","apiGroup":"vernier.dev","apiVersion":"v1alpha1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-12-02T01:25:14.500000Z","stageTimestamp":"2026-12-02T01:25:14.520000Z"}`,
  'not json at all',
];

const parse = (): OperatorRequest[] => LINES.map((l) => parseAuditLine(l, OPERATOR)).filter((r) => r !== undefined);
const at = (iso: string): number => Date.parse(iso);
const ALL = { from: at('2026-12-02T01:25:00Z'), to: at('2026-12-02T01:26:00Z') };

test('an audit line becomes one request of the operator: watches when they start, the rest when complete; others dropped', () => {
  const requests = parse();
  assert.equal(requests.length, 6);
  assert.deepEqual(requests[0], { at: at('2026-12-02T01:25:13.964Z'), verb: 'watch', resource: 'jobs', code: 200 });
  assert.deepEqual(requests[2], {
    at: at('2026-12-02T01:25:14.306Z'),
    verb: 'update',
    resource: 'inferenceservices',
    subresource: 'status',
    namespace: 'scale-02',
    name: 'mlp-0003',
    code: 200,
  });
});

test('the split of a window: per verb, per resource, status writes, Events, failures; watches apart', () => {
  const split = requestSplit(parse(), ALL, 2);
  assert.equal(split.requests, 5);
  assert.equal(split.perObject, 2.5);
  assert.equal(split.watches, 1);
  assert.deepEqual(split.byVerb, { patch: 2, create: 1, get: 1, update: 1 });
  assert.deepEqual(split.byResource, { 'inferenceservices/status': 2, deployments: 1, events: 1, jobs: 1 });
  assert.equal(split.byVerbAndResource['update inferenceservices/status'], 1);
  assert.equal(split.byVerbAndResource['patch inferenceservices/status'], 1);
  assert.equal(split.statusWrites, 2);
  assert.equal(split.eventsCreated, 1);
  assert.equal(split.failed, 1);
  assert.deepEqual(split.failedByCode, { '404': 1 });
});

test('a window counts the requests received inside it, [from, to)', () => {
  const first20s = { from: ALL.from, to: at('2026-12-02T01:25:34.500Z') };
  assert.equal(requestSplit(parse(), first20s, 1).requests, 4);
  assert.equal(requestSplit(parse(), { from: at('2026-12-02T01:25:34.500Z'), to: ALL.to }, 1).statusWrites, 1);
  assert.equal(requestSplit([], ALL, 0).perObject, 0);
});

test('request rate: per second over the window and the busiest 10 s bucket, watches excluded', () => {
  const rate = requestRate(parse(), { from: at('2026-12-02T01:25:10Z'), to: at('2026-12-02T01:25:50Z') });
  assert.equal(rate.perSecond, 5 / 40);
  assert.equal(rate.maxPerBucket, 4);
  assert.equal(rate.bucketSeconds, 10);
  assert.equal(requestRate([], ALL).maxPerBucket, 0);
});

test('status writes to objects other than the changed ones', () => {
  assert.equal(statusWritesToOthers(parse(), ALL, new Set(['scale-02/mlp-0003'])), 1);
  assert.equal(statusWritesToOthers(parse(), ALL, new Set(['scale-02/mlp-0003', 'scale-07/mlp-0008'])), 0);
});
