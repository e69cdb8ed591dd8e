# The database goes away and comes back (SPEC §1, §4 health): health says
# 503 in JSON, every other route 503 unavailable with Retry-After, and the
# workers reconnect by themselves once MariaDB is back.  Runs last.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use TCloud;

my $S = $ENV{TCLOUD_STATE};
my $u = new_user();
my $file = api('POST', '/api/files/upload', token => $u->{token},
    form => ['file=@' . write_file(tmpdir() . '/f.txt', 'hello')])->{json}{id};
my $folder = api('POST', '/api/folders', token => $u->{token}, json => { name => 'dir' })->{json}{id};
my $link = api('POST', "/api/files/$file/share-link", token => $u->{token}, json => {})->{json}{token};
my $key = api('POST', '/api/apikeys', token => $u->{token}, json => { name => 'k' })->{json}{key};
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
ok($r->{headers}{'retry-after'}, '  with Retry-After');
# Every route that needs the database says "come back later" (SPEC §2):
# 503 unavailable with Retry-After, never 500 internal.
my @routes = (
	[ 'GET', '/api/auth/me', token => $u->{token} ],
	[ 'POST', '/api/auth/login', json => { username => $u->{username}, password => $u->{password} } ],
	[ 'POST', '/api/auth/register', json => { username => random_name(), email => random_name() . '@example.com', password => 'password-xyz' } ],
	[ 'GET', "/api/files", token => $u->{token} ],
	[ 'GET', "/api/files/$file/download", token => $u->{token} ],
	[ 'POST', '/api/files/upload', token => $u->{token}, form => ['file=@' . write_file(tmpdir() . '/up.txt', 'abc')] ],
	[ 'GET', '/api/folders', token => $u->{token} ],
	[ 'POST', '/api/folders', token => $u->{token}, json => { name => 'x' } ],
	[ 'PATCH', "/api/folders/$folder", token => $u->{token}, json => { name => 'y' } ],
	[ 'DELETE', "/api/folders/$folder", token => $u->{token} ],
	[ 'GET', '/api/shares/with-me', token => $u->{token} ],
	[ 'GET', "/api/share/$link", ],
	[ 'GET', "/api/share/$link/download", ],
	[ 'GET', '/api/apikeys', key => $key ],
	[ 'GET', '/api/admin/users', token => $u->{token} ],
);
for my $rt (@routes) {
	my ($m, $p, %o) = @$rt;
	$r = api($m, $p, %o);
	(my $shown = $p) =~ s{/api/share/[^/]+}{/api/share/TOKEN};
	is($r->{status}, 503, "$m $shown: 503");
	is($r->{json}{code}, 'unavailable', '  code unavailable');
	ok(($r->{headers}{'retry-after'} // '') =~ /^\d+$/, '  Retry-After');
	unlike($r->{body}, qr/mysql|mariadb|SELECT|socket/i, '  nothing of the database leaks');
}
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
# mod_fcgid may retire and spawn processes as it likes.
is(scalar(grep { alive($_) } @workers), scalar(@workers), 'the same workers serve on')
    unless ($ENV{TCLOUD_FRONT} // '') eq 'apache-fcgid';
done_testing();
