import { parseProject } from '../../../shared/model/parse';
import { listTemplates } from './templates';

/**
 * The first file a process parses goes through the YAML parser and the schema cold: a
 * 500-host cluster took ~200 ms that way on this 2-core machine, ~30 ms once the bundled
 * templates had been parsed 20 times (~300 ms of CPU). Started as the services come up —
 * while the window loads its script — so the cluster the app opens at start parses warm.
 * One template per turn of the event loop: a request that arrives meanwhile never waits
 * for more than one small parse.
 */
export function warmUpParser(rounds = 20): Promise<void> {
  const texts = listTemplates().map((t) => t.text);
  let left = rounds * texts.length;
  return new Promise((resolve) => {
    const step = () => {
      if (left <= 0) return resolve();
      left--;
      parseProject(texts[left % texts.length]!, 'warm-up.keelson.yaml');
      setImmediate(step);
    };
    setImmediate(step);
  });
}
