// A keepalived pair of dedicated haproxy hosts, three external etcd members Keelson installs itself.
import { describeRealCluster } from './kube/real-cluster-suite';

describeRealCluster('dedicated-lb-external-etcd', 'LB pair + external etcd, 3 control planes + 2 workers');
