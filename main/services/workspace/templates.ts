/// <reference types="vite/client" />
import type { ClusterProject } from '../../../shared/model/cluster';
import { formatProjectErrors, parseProject } from '../../../shared/model/parse';

/**
 * The starting points offered by "New cluster", from resources/templates/*.keelson.yaml.
 * They are bundled into the build as text (not read from disk), so the packaged app, the CLI
 * and browser mode all carry the same set without an extra resources folder.
 */
const files = import.meta.glob<string>('../../../resources/templates/*.keelson.yaml', {
  query: '?raw',
  import: 'default',
  eager: true,
});

export interface Template {
  id: string;
  name: string;
  description: string;
  /** The file text as shipped. */
  text: string;
  project: ClusterProject;
}

/** How the list is shown: simplest first; any template not named here follows alphabetically. */
const ORDER = [
  'empty',
  'keepalived-haproxy',
  'keepalived-nginx',
  'nginx-lb-two-masters',
  'node-local-bastion',
  'dedicated-lb-external-etcd',
];

function load(): Template[] {
  const templates = Object.entries(files).map(([path, text]) => {
    const fileName = path.split('/').pop()!;
    const id = fileName.replace(/\.keelson\.yaml$/, '');
    const parsed = parseProject(text, fileName);
    if (!parsed.ok)
      throw new Error(`template ${fileName} is broken:\n${formatProjectErrors(parsed.errors, fileName)}`);
    const { project } = parsed;
    return {
      id,
      name: project.metadata.name,
      description: project.metadata.description ?? '',
      text,
      project,
    };
  });
  const rank = (id: string) => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);
  return templates.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
}

let cache: Template[] | undefined;

export function listTemplates(): Template[] {
  cache ??= load();
  return cache;
}

export function findTemplate(id: string): Template | undefined {
  return listTemplates().find((t) => t.id === id);
}
