# Server-wide link policy (SPEC §4, tcloud.conf): a maximum link lifetime
# and a password required on every link.  Edits the config, restarts the
# workers, and restores both at the end.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $S = $ENV{TCLOUD_STATE};
my $conf = read_file("$S/tcloud.conf");
sub restart {
	system("$ENV{TCLOUD_ROOT}/tcloud-dev reload >/dev/null 2>&1") == 0
	    or BAIL_OUT('restart failed');
}

write_file("$S/tcloud.conf", $conf . "link_max_lifetime = 3600\nlink_require_password = true\n");
restart();
my $u = new_user();
my $p = write_file(tmpdir() . '/x.txt', 'policy');
my $f = api('POST', '/api/files/upload', token => $u->{token}, form => ["file=\@$p"])->{json};

my $r = api('POST', "/api/files/$f->{id}/share-link", token => $u->{token}, json => {});
is($r->{status}, 400, 'a link without a password is refused');
is($r->{json}{code}, 'password_required_by_policy', '  code');
my @g = gmtime(time + 7200);
my $late = sprintf('%04d-%02d-%02d %02d:%02d:%02d', $g[5] + 1900, $g[4] + 1, @g[3, 2, 1, 0]);
$r = api('POST', "/api/files/$f->{id}/share-link", token => $u->{token},
    json => { password => 'pw-policy', expires_at => $late });
is($r->{status}, 400, 'an expiry past the maximum lifetime is refused');
is($r->{json}{code}, 'expiry_too_far', '  code');
$r = api('POST', "/api/files/$f->{id}/share-link", token => $u->{token}, json => { password => 'pw-policy' });
is($r->{status}, 201, 'with a password and no expiry: created');
ok(defined $r->{json}{expires_at}, '  and given the maximum lifetime as expiry');
my $tok = $r->{json}{token};
is(api('GET', "/api/share/$tok", headers => ['X-Share-Password: pw-policy'])->{status}, 200, 'the link works');

# A bad config value stops the worker at start, naming the line.
write_file("$S/tcloud.conf", $conf . "link_max_lifetime = soon\n");
my $out = `$ENV{TCLOUD_STATE}/build/tcloud.fcgi -c $S/tcloud.conf 2>&1 </dev/null`;
like($out, qr/tcloud\.conf:\d+: bad value for 'link_max_lifetime'/, 'bad value: the worker refuses to start, naming the line');
write_file("$S/tcloud.conf", $conf . "no_such_key = 1\n");
$out = `$ENV{TCLOUD_STATE}/build/tcloud.fcgi -c $S/tcloud.conf 2>&1 </dev/null`;
like($out, qr/unknown key 'no_such_key'/, 'unknown key: refused');

write_file("$S/tcloud.conf", $conf);
restart();
is(api('GET', '/api/health')->{status}, 200, 'restored');
done_testing();
