# A download that fails before its first byte is one clean JSON 500 (no
# file headers left over); a response that fails mid-stream (a file or a
# folder ZIP) aborts the connection, so the client sees an error instead
# of a clean, short end (issue 8).  Failures are real: bytes of the blob
# on disk are flipped, and the AES-GCM tag check refuses the segment.
use strict;
use warnings;
use Test::More;
use TCloud;

my $S = $ENV{TCLOUD_STATE} or plan skip_all => 'needs TCLOUD_STATE';
chomp(my $me = `id -un`);
sub sql {
	my $out = `mariadb --no-defaults -u$me --socket=$S/run/mysql.sock -N -B tcloud -e "$_[0]"`;
	chomp $out;
	return $out;
}
# Flip one byte of file id's blob at offset off.
sub corrupt {
	my ($id, $off) = @_;
	my $hex = lc sql("SELECT HEX(blob_id) FROM files WHERE id = $id");
	my $p = "$S/data/blobs/" . substr($hex, 0, 2) . '/' . substr($hex, 2, 2) . "/$hex";
	open my $fh, '+<:raw', $p or die "$p: $!";
	seek $fh, $off, 0;
	read $fh, my $c, 1;
	seek $fh, $off, 0;
	print $fh chr(ord($c) ^ 0xff);
	close $fh;
}
# curl's exit code, status and raw header block.
sub fetch {
	my ($url, @h) = @_;
	my $hdr = tmpdir() . "/h.$$";
	my $code = `curl -s -o /dev/null -D $hdr -w '%{http_code}' @{[ map { "-H '$_'" } @h ]} '$url'`;
	my $exit = $? >> 8;
	return ($exit, $code, read_file($hdr));
}

my $u = new_user();
my %T = (token => $u->{token});
my $data = join '', map { chr(($_ * 7) % 251) } 1 .. 700000;	# 11 segments
my $f = write_file(tmpdir() . '/eleven.bin', $data);
my @ids = map { api('POST', '/api/files/upload', %T, form => ["file=\@$f;filename=f$_.bin"])->{json}{id} } 1 .. 2;

# Segment 0 starts right after the 160-byte header.
corrupt($ids[0], 160 + 100);
my ($exit, $code, $h) = fetch(url("/api/files/$ids[0]/download"), "Authorization: Bearer $u->{token}");
is($code, 500, 'first segment corrupt: 500');
my @ct = $h =~ /^Content-Type:/mig;
my @cl = $h =~ /^Content-Length:/mig;
is(scalar @ct, 1, '  one Content-Type');
# Behind Apache mod_proxy_fcgi a reply may be chunked: at most one.
ok(@cl <= 1, '  no second Content-Length');
like($h, qr{^Content-Type: application/json}mi, '  and it is JSON');
unlike($h, qr/^(Content-Disposition|ETag|Accept-Ranges):/mi, '  none of the file headers');
is(api('GET', "/api/files/$ids[0]/download", %T)->{json}{code}, 'internal', '  body {"code":"internal"}');

# Segment 9 of the second file: 576 KiB are out already, more than the
# front relays in one read (nginx: fastcgi_buffer_size 256k), so the
# client has the headers before the front meets the abort.
corrupt($ids[1], 160 + 9 * (65536 + 16) + 10);
($exit, $code) = fetch(url("/api/files/$ids[1]/download"), "Authorization: Bearer $u->{token}");
is($code, 200, 'a segment corrupt mid-file: the headers said 200');
isnt($exit, 0, "  but the transfer fails (curl exit $exit)");

# A range whose last segment is the corrupt one and holds only 30 of
# its bytes.  Under mod_fcgid an aborted response still ends cleanly
# with its 500 error document (59 bytes) appended: had every byte
# before the bad segment gone out, that document would fill the 30
# missing ones and the body look complete.  The reader holds the last
# BLOB_HOLD (4 KiB) verified bytes back until the next segment
# verifies, so the client always sees a short body.
my $id3 = api('POST', '/api/files/upload', %T, form => ["file=\@$f;filename=f3.bin"])->{json}{id};
corrupt($id3, 160 + 5 * (65536 + 16) + 10);
my $end = 5 * 65536 + 29;
my $out = tmpdir() . "/range.$$";
$code = `curl -s -o $out -w '%{http_code} %{size_download}' -H 'Range: bytes=0-$end' -H 'Authorization: Bearer $u->{token}' '@{[ url("/api/files/$id3/download") ]}'`;
$exit = $? >> 8;
my ($st, $got) = split / /, $code;
is($st, 206, 'a range ending 30 bytes into a corrupt segment: 206 headers');
isnt($exit, 0, "  the transfer fails (curl exit $exit)");
cmp_ok(-s $out, '<', $end + 1 - 59, "  short by more than an error document (@{[ -s $out ]} of @{[ $end + 1 ]} bytes)");
is(read_file($out), substr($data, 0, -s $out), '  and what came is the file\'s start')
    unless $ENV{TCLOUD_FRONT} && $ENV{TCLOUD_FRONT} eq 'apache-fcgid';

# The same in a folder ZIP: its Content-Length (or, where a front
# chunks it, the dropped connection) tells the client.  Under mod_fcgid
# only the length does: it ends an aborted response cleanly and appends
# its 500 error document.
my $dir = api('POST', '/api/folders', %T, json => { name => 'zipme' })->{json}{id};
api('PATCH', "/api/files/$ids[1]", %T, json => { folder_id => $dir });
my $link = api('POST', "/api/folders/$dir/share-link", %T, json => {})->{json}{token};
($exit, $code) = fetch(url("/api/share/$link/download"));
is($code, 200, 'a ZIP holding a corrupt file: 200 headers');
isnt($exit, 0, "  and the transfer fails (curl exit $exit), not a clean end");
is(api('GET', "/api/folders/$dir/share-link", %T)->{json}{downloads}, 0, '  and not counted as a download');

# The workers carry on.
my $ok = write_file(tmpdir() . '/ok.bin', 'fine');
my $id = api('POST', '/api/files/upload', %T, form => ["file=\@$ok"])->{json}{id};
for (1 .. 6) {
	is(api('GET', "/api/files/$id/download", %T)->{body}, 'fine', "request $_ after the aborts is served");
}
api('DELETE', "/api/admin/users/$u->{id}", token => admin_token());
done_testing();
