# The database goes away and comes back (SPEC §1, §4 health): health says
# 503 in JSON, other routes answer JSON errors without a crash, and the
# workers reconnect by themselves once MariaDB is back.  Runs last.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use TCloud;

my $S = $ENV{TCLOUD_STATE};
my $u = new_user();
my @workers = worker_pids();
# Alive and not a zombie (nobody may reap in a container).
sub alive { my $st = `cat /proc/$_[0]/status 2>/dev/null`; $st =~ /^State:\s+[^Z]/m }

chomp(my $pid = `cat $S/run/mysql.pid`);
kill 'TERM', $pid;
for (1 .. 100) { last unless kill 0, $pid; sleep 0.1 }
ok(!kill(0, $pid), 'MariaDB stopped');

my $r = api('GET', '/api/health');
is($r->{status}, 503, 'health 503 with the database down');
is($r->{json}{db}, 'unreachable', '  db unreachable');
is($r->{json}{code}, 'db_unavailable', '  with a code');
$r = api('GET', '/api/auth/me', token => $u->{token});
is($r->{status}, 500, 'a protected route: 500');
is($r->{json}{code}, 'internal', '  JSON internal, no SQL text');
unlike($r->{body}, qr/mysql|mariadb|SELECT|socket/i, '  nothing of the database leaks');
$r = api('POST', '/api/auth/login', json => { username => $u->{username}, password => $u->{password} });
ok($r->{status} >= 500 && $r->{json}{code}, "login: JSON $r->{status}");
is(scalar(grep { alive($_) } @workers), scalar(@workers), 'no worker died');

system("$ENV{TCLOUD_ROOT}/tcloud-dev up >/dev/null 2>&1");
my $ok = 0;
for (1 .. 50) {
	$r = api('GET', '/api/health');
	if ($r->{status} == 200) { $ok = 1; last }
	sleep 0.2;
}
ok($ok, 'health 200 once MariaDB is back');
is(api('GET', '/api/auth/me', token => $u->{token})->{status}, 200, 'workers reconnected');
is(scalar(grep { alive($_) } @workers), scalar(@workers), 'the same workers serve on');
done_testing();
