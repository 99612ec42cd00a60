// Field pattern 3 as the issue asks for it: keepalived VIP + haproxy on 3 control planes, stacked
// etcd, 2 workers. What is checked is in real-cluster-suite.ts.
import { describeRealCluster } from './kube/real-cluster-suite';

// Day 2 runs on this one after the rest (kube/day2-suite.ts).
describeRealCluster('keepalived-haproxy', 'keepalived-haproxy, 3 control planes (stacked etcd) + 2 workers', {
  day2: true,
});
