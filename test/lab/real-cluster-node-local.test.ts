// Field pattern 5: nginx on 127.0.0.1:6443 of every node, every host reached through a bastion.
import { describeRealCluster } from './kube/real-cluster-suite';

describeRealCluster('node-local-bastion', 'node-local nginx behind a bastion, 3 control planes + 3 workers');
