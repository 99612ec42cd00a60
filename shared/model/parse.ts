import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { API_VERSION, ClusterProject } from './cluster';
import { DEFAULT_KUBERNETES_VERSION } from '../kubernetes/releases';
import { visible } from './formats';

/** One problem in a project file: what, at which YAML path, on which line (1-based). */
export interface ProjectError {
  message: string;
  /** Dotted path into the document, e.g. `spec.hosts[1].address`; empty for the whole file. */
  path: string;
  line: number;
  column: number;
}

export type ParseResult = { ok: true; project: ClusterProject } | { ok: false; errors: ProjectError[] };

type PathKey = string | number;

/**
 * `['spec','hosts',1,'address']` → `spec.hosts[1].address`. A key that is not a plain word (a
 * label such as `topology.kubernetes.io/zone`, or one holding a newline) is written as a JSON
 * string in brackets, so a path is always one unambiguous line.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (!/^[A-Za-z0-9_-]+$/.test(String(key))) out += `[${visible(String(key))}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** One line per error, `FILE:LINE:COL: PATH: MESSAGE`, as compilers print them. */
export function formatProjectErrors(errors: readonly ProjectError[], fileName = 'project'): string {
  return errors
    .map((e) => `${fileName}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`)
    .join('\n');
}

/**
 * Reads a `NAME.keelson.yaml` text. Never throws: broken YAML, unknown fields and wrong
 * types all come back as errors naming the path and the line, so a person can fix the file
 * in an editor without guessing.
 */
export function parseProject(text: string, fileName?: string): ParseResult {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    // The yaml package reports problems in doc.errors; this is only a last guard.
    return { ok: false, errors: [{ message: describe(error), path: '', line: 1, column: 1 }] };
  }
  const where = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    // The first YAML error is the one worth reading; later ones usually follow from it.
    const first = doc.errors[0]!;
    const atEnd = first.pos[0] >= text.trimEnd().length;
    // An unclosed quote or bracket is only noticed at the end: say so, or the line looks wrong.
    const hint = atEnd
      ? ' (noticed at the end of the file: look for an unclosed quote or bracket above)'
      : '';
    const message = `not valid YAML: ${first.message.split('\n')[0]}${hint}`;
    return { ok: false, errors: [{ message, path: '', ...where(first.pos[0]) }] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, errors: [{ message: describe(error), path: '', line: 1, column: 1 }] };
  }
  if (data === null || data === undefined) {
    const hint = fileName ? ` (${fileName})` : '';
    return {
      ok: false,
      errors: [
        { message: `the file is empty${hint}: expected a Cluster project`, path: '', line: 1, column: 1 },
      ],
    };
  }
  const parsed = ClusterProject.safeParse(data);
  if (parsed.success) return { ok: true, project: parsed.data };
  const errors = parsed.error.issues.map((issue) => issueToError(issue, doc, where));
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, errors };
}

/**
 * Checks a project that arrives as an object (over IPC) rather than as text. Errors carry the
 * path; line and column are 0 because there is no file to point into.
 */
export function checkProjectObject(value: unknown): ParseResult {
  const parsed = ClusterProject.safeParse(value);
  if (parsed.success) return { ok: true, project: parsed.data };
  const doc = new Document(value) as Document.Parsed;
  const noLine = () => ({ line: 0, column: 0 });
  return { ok: false, errors: parsed.error.issues.map((issue) => issueToError(issue, doc, noLine)) };
}

function issueToError(
  issue: z.core.$ZodIssue,
  doc: Document.Parsed,
  where: (offset: number | undefined) => { line: number; column: number },
): ProjectError {
  const path = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const keyNode = findKeyNode(doc, path, keys[0] ?? '');
    const fullPath = formatPath([...path, keys[0] ?? '']);
    const names = keys.map((k) => visible(k)).join(', ');
    return {
      message: `unknown field${keys.length > 1 ? 's' : ''} ${names} (a typo? unknown fields are not allowed)`,
      path: keys.length === 1 ? fullPath : formatPath(path),
      ...where(keyNode?.range?.[0] ?? nearestNode(doc, path)?.range?.[0]),
    };
  }
  const present = doc.hasIn(path);
  const node = nearestNode(doc, path);
  let message = issue.message;
  if (issue.code === 'invalid_type' && !present) message = `missing required field (${expected(issue)})`;
  else if (issue.code === 'invalid_type') {
    const got = describeValue(doc, path);
    const quote =
      issue.expected === 'string' && /^"?[\d.]+"?$/.test(got) ? ` (write it in quotes: "${got}")` : '';
    message = `expected ${issue.expected}, got ${got}${quote}`;
  } else if (issue.code === 'invalid_value' && path.join('.') === 'apiVersion')
    message = `must be "${API_VERSION}"`;
  else if (issue.code === 'invalid_value')
    message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  else if (issue.code === 'invalid_key')
    message = `the key is not valid: ${issue.issues[0]?.message ?? issue.message}`;
  return { message, path: formatPath(path), ...where(node?.range?.[0]) };
}

function expected(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' ? `a ${issue.expected}` : issue.message;
}

function describeValue(doc: Document.Parsed, path: PathKey[]): string {
  const node = doc.getIn(path, true);
  if (isScalar(node))
    return node.value === null
      ? 'an empty value'
      : typeof node.value === 'string'
        ? visible(node.value)
        : JSON.stringify(node.value);
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  return 'something else';
}

/** The node at `path`, or the closest ancestor that exists (for a missing field: its parent). */
function nearestNode(doc: Document.Parsed, path: PathKey[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in node) return node as Node;
  }
  return undefined;
}

function findKeyNode(doc: Document.Parsed, mapPath: PathKey[], key: string): Node | undefined {
  const map: unknown = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
  if (!isMap(map)) return undefined;
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === key) return item.key;
  }
  return undefined;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? 'unreadable file';
}

/** Record keys (labels, canvas positions) sorted, so a save never reorders a diff needlessly. */
function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * YAML text of a project, keys in schema order (the order the schema declares fields), record
 * keys sorted. `parseProject(serializeProject(p))` gives back `p`.
 */
export function serializeProject(project: ClusterProject): string {
  const normal = ClusterProject.parse(project);
  normal.spec.hosts = normal.spec.hosts.map((h) => ({ ...h, labels: sortRecord(h.labels) }));
  if (normal.canvas) normal.canvas = { positions: sortRecord(normal.canvas.positions) };
  const doc = new Document(normal);
  return doc.toString({ lineWidth: 0 });
}

/** A valid project with no hosts yet: what "New cluster" starts from. */
export function emptyProject(name: string): ClusterProject {
  return ClusterProject.parse({
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name },
    spec: {
      kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
      hosts: [],
      // node-local needs no VIP, so a new design starts without an address to invent.
      apiEndpoint: { pattern: 'node-local', port: 6443 },
    },
  });
}
