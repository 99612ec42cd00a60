/**
 * Whether etcd keeps its quorum through the removal of one member. etcd commits a membership
 * change only with a majority of the CURRENT members, and after it needs a majority of the rest:
 * 3 members tolerate 1 failure, 2 tolerate none (worse than it looks: either one failing stops
 * the cluster), 1 tolerates none. So shrinking to 2 is allowed with a warning, and shrinking a
 * 2-member cluster is refused: the removal itself needs both members, and what remains is one
 * member whose loss loses every object in the cluster.
 */
export interface QuorumVerdict {
  /** Set when the removal must not run: the reason, in words an admin can act on. */
  refused?: string;
  /** Set when it may run but leaves the cluster fragile. */
  warning?: string;
}

/** Votes needed for a decision among `members`. */
export const quorumOf = (members: number): number => Math.floor(members / 2) + 1;
/** Members that may fail while the rest keep quorum. */
export const failuresTolerated = (members: number): number => Math.floor((members - 1) / 2);

/**
 * `members`: etcd members now (the removed one included); `healthy`: how many of them answer,
 * the removed one included when it is alive; `removedIsHealthy`: whether the one to remove answers.
 */
export function etcdRemovalVerdict(
  members: number,
  healthy = members,
  removedIsHealthy = true,
): QuorumVerdict {
  const after = members - 1;
  const healthyAfter = healthy - (removedIsHealthy ? 1 : 0);
  if (members <= 1) return { refused: 'it is the only etcd member: removing it would delete the cluster' };
  if (healthy < quorumOf(members))
    return {
      refused:
        `only ${healthy} of ${members} etcd members are healthy and a removal needs ${quorumOf(members)} ` +
        '(a quorum of the current members) to be agreed: bring a member back first',
    };
  if (after < 2)
    return {
      refused:
        `etcd has ${members} members: removing one needs both to agree (quorum of 2 is 2) and leaves a single member, ` +
        'whose loss loses the cluster. Add a control plane first, then remove this one',
    };
  if (healthyAfter < quorumOf(after))
    return {
      refused:
        `after the removal ${healthyAfter} of ${after} members would be healthy, short of the quorum of ${quorumOf(after)}: ` +
        'the cluster would stop. Bring the unhealthy members back (or remove them) first',
    };
  if (after % 2 === 0)
    return {
      warning:
        `etcd will have ${after} members, which tolerate ${failuresTolerated(after)} failure${failuresTolerated(after) === 1 ? '' : 's'} — ` +
        `no more than ${after - 1} would: add a control plane back soon`,
    };
  return {};
}
