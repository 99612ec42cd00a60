import { describe, expect, it } from 'vitest';
import { ParseCache } from '../../main/services/workspace/parse-cache';
import { emptyProject, serializeProject } from '../../shared/model/parse';

describe('project parse cache', () => {
  it('an edited file is read as edited, and one caller’s change never reaches the next', () => {
    const cache = new ParseCache();
    const project = emptyProject('alpha');
    const text = serializeProject(project);
    const first = cache.parse(text, 'alpha.keelson.yaml');
    if (!first.ok) throw new Error('the empty project should parse');
    first.project.metadata.name = 'changed-by-a-caller';
    const again = cache.parse(text, 'alpha.keelson.yaml');
    expect(again.ok && again.project.metadata.name).toBe('alpha');

    project.metadata.name = 'beta';
    const edited = cache.parse(serializeProject(project), 'alpha.keelson.yaml');
    expect(edited.ok && edited.project.metadata.name).toBe('beta');
  });

  it('an error names the file it was read from, even for the same text', () => {
    const cache = new ParseCache();
    const a = cache.parse('', 'a.keelson.yaml');
    const b = cache.parse('', 'b.keelson.yaml');
    expect(!a.ok && a.errors[0]!.message).toContain('a.keelson.yaml');
    expect(!b.ok && b.errors[0]!.message).toContain('b.keelson.yaml');
  });
});
