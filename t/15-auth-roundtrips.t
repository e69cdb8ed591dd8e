# Authenticated small reads cost the database at most two statements: one
# that authenticates (key or token joined with its user, the revocation
# list included) and the request's own; an API key's last_used_at is
# written at most once a minute, not on every use (issue 10).
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use TCloud;

my $S = $ENV{TCLOUD_STATE};
my $sock = "$S/run/mysql.sock";
plan skip_all => 'needs the dev stack\'s MariaDB socket' unless $S && -S $sock;

sub executed {
	my $v = `mysql -S '$sock' -u root -N -e "SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'" 2>/dev/null`;
	$v =~ /(\d+)\s*$/ or BAIL_OUT('cannot read Com_stmt_execute');
	return $1;
}

my $u = new_user();
my $k = api('POST', '/api/apikeys', token => $u->{token}, json => { name => 'rt' })->{json};
is(api('GET', '/api/auth/me', key => $k->{key})->{status}, 200, 'key works');
my ($row) = grep { $_->{id} == $k->{id} } @{ api('GET', '/api/apikeys', token => $u->{token})->{json} };
my $first = $row->{last_used_at};
ok($first, 'last_used_at set on first use');

my $n = 10;
for my $case (['GET /api/files, key', '/api/files', key => $k->{key}, 2],
    ['GET /api/auth/me, key', '/api/auth/me', key => $k->{key}, 1],
    ['GET /api/files, JWT', '/api/files', token => $u->{token}, 2],
    ['GET /api/auth/me, JWT', '/api/auth/me', token => $u->{token}, 1]) {
	my ($name, $path, $kind, $cred, $per) = @$case;
	my $before = executed();
	my $okc = 0;
	$okc += api('GET', $path, $kind => $cred)->{status} == 200 for 1 .. $n;
	my $d = executed() - $before;
	is($okc, $n, "$name: $n times 200");
	ok($d <= $n * $per, "$name: $d statements for $n requests (at most $per each)");
}

sleep 1.2;	# last_used_at has whole seconds: a write would show
is(api('GET', '/api/auth/me', key => $k->{key})->{status}, 200, 'key used again');
($row) = grep { $_->{id} == $k->{id} } @{ api('GET', '/api/apikeys', token => $u->{token})->{json} };
is($row->{last_used_at}, $first, 'last_used_at unchanged within the minute');
done_testing();
