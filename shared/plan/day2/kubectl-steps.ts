// Day-2 steps that talk to the API with kubectl on a control plane (admin.conf), never on the
// node itself: cordon, uncordon, drain with a report, delete the Node object.
import { KUBECTL } from '../control-plane';
import { FAIL_FUNCTION, bashScript, shq } from '../shell';
import { step } from '../step';
import type { PlanStep } from '../types';

export interface DrainOptions {
  /** Also evict pods with emptyDir volumes: their data is lost. Only after the user confirmed. */
  deleteEmptyDirData?: boolean;
  /** Give up (and report what blocked) after this long. Default 300. */
  timeoutSeconds?: number;
}

/** Pods on NODE that a drain must move: not DaemonSet pods, not static (mirror) pods, not finished. */
function podsToMoveLines(node: string, variable: string): string[] {
  return [
    `${variable}=$(${KUBECTL} get pods -A --field-selector ${shq(`spec.nodeName=${node},status.phase!=Succeeded,status.phase!=Failed`)} \\`,
    `  -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.metadata.ownerReferences[0].kind}{"\\n"}{end}' \\`,
    `  | awk '$2 != "DaemonSet" && $2 != "Node" { print $1 }')`,
  ];
}

export function cordonStep(via: string, node: string, uncordon: boolean): PlanStep {
  const verb = uncordon ? 'uncordon' : 'cordon';
  return step({
    id: `node-state/${verb}/${node}`,
    phase: 'node-state',
    host: via,
    description: uncordon
      ? `Mark ${node} schedulable again (kubectl uncordon, run on ${via}).`
      : `Mark ${node} unschedulable (kubectl cordon, run on ${via}): running pods stay, new ones go elsewhere.`,
    script: bashScript(`${KUBECTL} ${verb} ${shq(node)}`),
    check: bashScript(
      `[ "$(${KUBECTL} get node ${shq(node)} -o jsonpath='{.spec.unschedulable}')" ${uncordon ? '!=' : '='} true ]`,
    ),
    timeoutSeconds: 60,
  });
}

/**
 * kubectl drain through the eviction API, so PodDisruptionBudgets hold: per-pod progress is
 * kubectl's own lines ("evicting pod …", "pod/… evicted") streamed to the log, then one report
 * line with the counts, and on failure what blocked (a budget, emptyDir data, the timeout).
 */
export function drainStep(
  via: string,
  node: string,
  options: DrainOptions = {},
  dependsOn: string[] = [],
): PlanStep {
  const timeout = options.timeoutSeconds ?? 300;
  const emptyDir = options.deleteEmptyDirData === true;
  return step({
    id: `drain/${node}`,
    phase: 'drain',
    host: via,
    description:
      `Drain ${node} (run on ${via}): cordon, then evict its pods through the eviction API so every ` +
      `PodDisruptionBudget holds; DaemonSet and static pods stay; ${emptyDir ? 'pods with emptyDir volumes are evicted and that data is lost (confirmed)' : 'a pod with emptyDir data stops the drain until that loss is confirmed'}; ` +
      `gives up after ${timeout} s with what blocked.`,
    script: bashScript(
      FAIL_FUNCTION,
      `node=${shq(node)}`,
      ...podsToMoveLines(node, 'before'),
      `ds=$(${KUBECTL} get pods -A --field-selector ${shq(`spec.nodeName=${node}`)} -o jsonpath='{range .items[*]}{.metadata.ownerReferences[0].kind}{"\\n"}{end}' | grep -c '^DaemonSet$' || true)`,
      'moving=$(grep -c . <<<"$before" || true)',
      'echo "keelson: ${node} has ${moving} pods to move; ${ds} DaemonSet pods stay"',
      'log=$(mktemp)',
      'trap \'rm -f "$log"\' EXIT',
      'set +e',
      `${KUBECTL} drain "$node" --ignore-daemonsets${emptyDir ? ' --delete-emptydir-data' : ''} --timeout=${timeout}s 2>&1 | tee "$log"`,
      'rc=${PIPESTATUS[0]}',
      'set -e',
      ...podsToMoveLines(node, 'left'),
      'remaining=$(grep -c . <<<"$left" || true)',
      'evicted=$(grep -cE \'^pod/.* evicted$\' "$log" || true)',
      'echo "keelson: drain report for ${node}: ${evicted} pods evicted, ${ds} DaemonSet pods left in place, ${remaining} pods still to move"',
      // kubectl can lose an eviction's answer (a connection reset while the VIP moves) after the
      // eviction happened: cordoned with nothing left to move is drained, as the check says.
      `if [ "$rc" -ne 0 ] && [ "$remaining" -eq 0 ] && [ "$(${KUBECTL} get node "$node" -o jsonpath='{.spec.unschedulable}' || true)" = true ]; then`,
      '  echo "keelson: kubectl drain exited ${rc}, but ${node} is cordoned and has no pod left to move: drained"',
      '  rc=0',
      'fi',
      'if [ "$rc" -ne 0 ] || [ "$remaining" -ne 0 ]; then',
      '  if [ -n "$left" ]; then echo "keelson: still on ${node}:"; sed \'s/^/  /\' <<<"$left"; fi',
      '  budget=$(grep -E \'disruption budget\' "$log" | grep -oE \'pods/"[^"]+" -n "[^"]+"\' | sort -u | tr \'\\n\' \' \' || true)',
      '  [ -z "$budget" ] || echo "keelson: blocked by a PodDisruptionBudget: ${budget}"',
      '  if grep -q \'local storage\' "$log"; then',
      '    fail "pods with emptyDir data on ${node}: confirm that their data may be deleted, then drain again"',
      '  fi',
      '  [ -z "$budget" ] || fail "the drain of ${node} did not finish in ' +
        timeout +
        ' s: PodDisruptionBudgets allow no more evictions (scale up, or wait for replicas elsewhere to be Ready)"',
      '  fail "the drain of ${node} did not finish (kubectl exit ${rc}, ${remaining} pods still to move)"',
      'fi',
    ),
    check: bashScript(
      `[ "$(${KUBECTL} get node ${shq(node)} -o jsonpath='{.spec.unschedulable}')" = true ]`,
      ...podsToMoveLines(node, 'left'),
      '[ -z "$left" ]',
    ),
    timeoutSeconds: timeout + 60,
    dependsOn,
  });
}

export function deleteNodeObjectStep(via: string, node: string, dependsOn: string[]): PlanStep {
  const bound = `${KUBECTL} get pods -A --field-selector ${shq(`spec.nodeName=${node}`)} -o name`;
  return step({
    id: `remove-node/delete-node/${node}`,
    phase: 'remove-node',
    host: via,
    description:
      `Delete the Node object ${node} (run on ${via}), then the pods still bound to it — the mirror pods of ` +
      "its static pods, or on a dead node every pod — at once rather than after the pod garbage collector's grace.",
    script: bashScript(
      `${KUBECTL} delete node ${shq(node)} --ignore-not-found --wait=true --timeout=120s`,
      `${KUBECTL} delete pods -A --field-selector ${shq(`spec.nodeName=${node}`)} --force --grace-period=0 --ignore-not-found`,
    ),
    // "Not found" is the proof; an API that does not answer is not.
    check: bashScript(
      `out=$(${KUBECTL} get node ${shq(node)} 2>&1) && exit 1`,
      'grep -q NotFound <<<"$out"',
      `pods=$(${bound})`,
      '[ -z "$pods" ]',
    ),
    timeoutSeconds: 180,
    dependsOn,
  });
}
