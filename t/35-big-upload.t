# A big upload, byte-exact both ways, with the seed's curl form (issue 9:
# 1.5 GiB through each Apache front).  Opt-in, for its disk and time:
# TCLOUD_BIG_UPLOAD_MIB=1536 prove -It/lib t/35-big-upload.t
use strict;
use warnings;
use Test::More;
use Digest::SHA;
use Time::HiRes qw(time);
use TCloud;

my $mib = $ENV{TCLOUD_BIG_UPLOAD_MIB}
    or plan skip_all => 'set TCLOUD_BIG_UPLOAD_MIB to run';
$mib =~ /^[1-9][0-9]*$/ && $mib < 2048 or BAIL_OUT('TCLOUD_BIG_UPLOAD_MIB: 1..2047');

my $admin = admin_token();
my $u = new_user(patch => { quota_gb => 2 + int($mib / 1024) });
my $k = api('POST', '/api/apikeys', token => $u->{token}, json => { name => 'big' });
is($k->{status}, 201, 'API key made') or BAIL_OUT($k->{body});
my $key = $k->{json}{key};

my $dir = tmpdir();
my $in = "$dir/big.bin";
system('sh', '-c', "head -c ${mib}M /dev/urandom >'$in'") == 0 or BAIL_OUT('no random file');
is(-s $in, $mib << 20, "$mib MiB of random data");
my $want = Digest::SHA->new(256)->addfile($in, 'b')->hexdigest;

my $t0 = time;
my $up = api('POST', '/api/files/upload', key => $key, form => ["file=\@$in"]);
my $tu = time - $t0;
is($up->{status}, 201, 'upload 201') or diag($up->{body});
is($up->{json}{size}, $mib << 20, 'stored size is the sent size');
my $out = "$dir/big.out";
$t0 = time;
my $down = api('GET', "/api/files/$up->{json}{id}/download", key => $key, out => $out);
my $td = time - $t0;
unlink $in;
is($down->{status}, 200, 'download 200');
is(-s $out, $mib << 20, 'downloaded size');
is(Digest::SHA->new(256)->addfile($out, 'b')->hexdigest, $want, 'byte-exact (sha256)');
unlink $out;
diag(sprintf('%d MiB: up %.1f s (%.0f MiB/s), down %.1f s (%.0f MiB/s)',
    $mib, $tu, $mib / $tu, $td, $mib / $td));
is(api('DELETE', "/api/files/$up->{json}{id}", key => $key)->{status}, 200, 'deleted');
done_testing();
