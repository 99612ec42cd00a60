/**
 * The two small Perl programs behind the reachability test. Perl because it is on every Debian
 * and Ubuntu host (perl-base is Essential) and on nearly every RHEL-family one, and it can open
 * TCP, UDP and raw (VRRP, IP protocol 112) sockets; python3 is missing from minimal Debian, and
 * ncat/socat from most hosts. Both exit on their own (a deadline, and `timeout` around them), so
 * a killed Keelson leaves no listener behind. Arguments carry only numbers, addresses and a
 * random nonce — never a host name or anything from the design's free text.
 */

/**
 * `perl listen.pl ADDRESS SECONDS NONCE SPEC…` with SPEC `tcp:PORT`, `udp:PORT` or `vrrp`. Prints
 * `bound|busy KIND PORT [why]` per socket, `ready`, then `got KIND PORT SOURCE` for every probe
 * carrying NONCE. A TCP prober gets `keelson-reach-ok NONCE` back, so it knows it reached us and
 * not some other process on the port.
 */
export const LISTEN_PL = String.raw`use strict; use warnings;
use Socket qw(PF_INET PF_INET6 SOCK_RAW);
use IO::Socket::IP; use IO::Select;
$| = 1;
my ($addr, $secs, $nonce, @specs) = @ARGV;
my $sel = IO::Select->new; my %what;
for my $s (@specs) {
  if ($s =~ /^(tcp|udp):(\d+)$/) {
    my ($proto, $port) = ($1, $2);
    my $sock = IO::Socket::IP->new(LocalHost => $addr, LocalPort => $port, Proto => $proto,
      ($proto eq 'tcp' ? (Listen => 64, ReuseAddr => 1) : ()));
    if ($sock) { $sel->add($sock); $what{fileno $sock} = [$proto, $port]; print "bound $proto $port\n"; }
    else { my $e = $@ || $!; $e =~ s/\s+/ /g; print "busy $proto $port $e\n"; }
  } elsif ($s eq 'vrrp') {
    my $raw;
    if (socket($raw, ($addr =~ /:/ ? PF_INET6 : PF_INET), SOCK_RAW, 112)) {
      $sel->add($raw); $what{fileno $raw} = ['vrrp', 0]; print "bound vrrp 0\n";
    } else { print "busy vrrp 0 $!\n"; }
  }
}
print "ready\n";
my $end = time + $secs; my %conn;
while (time < $end) {
  for my $fh ($sel->can_read(0.5)) {
    my $w = $what{fileno $fh};
    if ($w && $w->[0] eq 'tcp') {
      my $c = $fh->accept or next;
      $c->blocking(0); $sel->add($c); $conn{fileno $c} = [$w->[1], '', time + 5, $c];
    } elsif ($w) {
      my $buf = ''; defined(recv($fh, $buf, 2048, 0)) or next;
      print "got $w->[0] $w->[1] $1\n" if $buf =~ /keelson-reach \Q$nonce\E (\d+)/;
    } elsif (my $k = $conn{fileno $fh}) {
      my $n = sysread($fh, my $chunk, 512);
      $k->[1] .= $chunk if $n;
      if ($k->[1] =~ /keelson-reach \Q$nonce\E (\d+)\n/) {
        print "got tcp $k->[0] $1\n";
        syswrite($fh, "keelson-reach-ok $nonce\n");
      }
      if (!$n || $k->[1] =~ /\n/) { $sel->remove($fh); delete $conn{fileno $fh}; close $fh; }
    }
  }
  for my $k (values %conn) {
    next if $k->[2] > time;
    $sel->remove($k->[3]); delete $conn{fileno $k->[3]}; close $k->[3];
  }
}
`;

/**
 * `perl probe.pl NONCE SOURCE SECONDS SPEC…` with SPEC `tcp/TARGET/ADDRESS/PORT`,
 * `udp/TARGET/ADDRESS/PORT` or `vrrp/TARGET/ADDRESS`. Sends every UDP and VRRP probe three
 * times (one lost datagram is not a blocked path), connects to every TCP target at once (a child
 * each, SECONDS to connect), and prints `tcp TARGET PORT ok|refused|timeout|error WHY`.
 */
export const PROBE_PL = String.raw`use strict; use warnings;
use Socket qw(PF_INET PF_INET6 SOCK_RAW inet_pton pack_sockaddr_in pack_sockaddr_in6 AF_INET AF_INET6);
use IO::Socket::IP; use POSIX qw(_exit);
$| = 1;
my ($nonce, $src, $secs, @specs) = @ARGV;
my (@tcp, @dgram);
for (@specs) { my @f = split m{/}; if ($f[0] eq 'tcp') { push @tcp, \@f } else { push @dgram, \@f } }
for my $round (1 .. 3) {
  for my $f (@dgram) {
    my ($kind, $target, $addr, $port) = @$f;
    my $msg = "keelson-reach $nonce $src\n";
    if ($kind eq 'udp') {
      my $s = IO::Socket::IP->new(PeerHost => $addr, PeerPort => $port, Proto => 'udp');
      if ($s) { $s->send($msg); close $s } elsif ($round == 1) { my $e = $@ || $!; $e =~ s/\s+/ /g; print "udp $target $port error $e\n" }
    } else {
      my $v6 = $addr =~ /:/;
      my $raw;
      if (socket($raw, ($v6 ? PF_INET6 : PF_INET), SOCK_RAW, 112)) {
        my $to = $v6 ? pack_sockaddr_in6(0, inet_pton(AF_INET6, $addr)) : pack_sockaddr_in(0, inet_pton(AF_INET, $addr));
        send($raw, $msg, 0, $to) or ($round == 1 and print "vrrp $target 0 error $!\n");
        close $raw;
      } elsif ($round == 1) { print "vrrp $target 0 error $!\n" }
    }
  }
  select(undef, undef, undef, 0.2);
}
my $running = 0;
for my $f (@tcp) {
  my (undef, $target, $addr, $port) = @$f;
  if ($running >= 32) { wait; $running-- }
  my $pid = fork;
  if (!defined $pid) { print "tcp $target $port error cannot fork: $!\n"; next }
  if ($pid) { $running++; next }
  my $s = IO::Socket::IP->new(PeerHost => $addr, PeerPort => $port, Proto => 'tcp', Timeout => $secs);
  if (!$s) {
    my $e = "$!"; my $why = $@ || $e; $why =~ s/\s+/ /g;
    my $r = $e =~ /refused/i ? 'refused' : $e =~ /timed out|in progress/i || $why =~ /timed out|timeout/i ? 'timeout' : 'error';
    print "tcp $target $port $r $why\n"; _exit(0);
  }
  syswrite($s, "keelson-reach $nonce $src\n");
  my $reply = '';
  eval { local $SIG{ALRM} = sub { die "alarm\n" }; alarm 2; sysread($s, $reply, 200); alarm 0; };
  print "tcp $target $port ok ", ($reply =~ /^keelson-reach-ok \Q$nonce\E/ ? 'keelson' : 'other'), "\n";
  _exit(0);
}
1 while wait != -1;
`;
