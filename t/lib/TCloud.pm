# Test helpers for the HTTP tests: every request goes through real curl
# to the running stack (./tcloud-dev test sets TCLOUD_URL and TCLOUD_CTL).
package TCloud;
use strict;
use warnings;
use Exporter 'import';
use JSON::PP;
use File::Temp qw(tempfile tempdir);
use Cwd ();
use Test::More;

our @EXPORT = qw(api url ctl json_of new_user login_token admin_token
    random_name tmpdir write_file read_file worker_pids);

my $URL = $ENV{TCLOUD_URL} or BAIL_OUT('TCLOUD_URL is not set: run ./tcloud-dev test');
my $TMP = tempdir(CLEANUP => 1);
my $json = JSON::PP->new->canonical->allow_nonref;
my $seq = 0;
# The stack trusts 127.0.0.1 as a proxy in tests, so each test file acts
# from its own documentation address (RFC 5737) and the per-IP login limit
# of one file does not spill into another.
our $CLIENT_IP = '198.51.100.' . (1 + $$ % 250);

sub url { $URL . ($_[0] // '') }
sub tmpdir { $TMP }

sub write_file {
	my ($path, $data) = @_;
	open my $fh, '>:raw', $path or die "$path: $!";
	print $fh $data;
	close $fh;
	return $path;
}

sub read_file {
	my ($path) = @_;
	open my $fh, '<:raw', $path or die "$path: $!";
	local $/;
	my $d = <$fh>;
	close $fh;
	return $d // '';
}

# api(METHOD, PATH, token => JWT, key => KEY, json => REF|raw => STRING,
#     ctype => TYPE, headers => [..], form => [curl -F args], out => FILE,
#     base => URL of another stack)
# Returns a hash: status, headers (lowercased names), body, json.
sub api {
	my ($method, $path, %o) = @_;
	$seq++;
	# The pid too: tests fork, and children must not share scratch files.
	my $tag = "$$.$seq";
	my $body = "$TMP/body.$tag";
	my $hdr = "$TMP/hdr.$tag";
	my @cmd = ('curl', '-s', '-S', '-g', '-o', $o{out} // $body, '-D', $hdr,
	    '-w', '%{http_code}', '-X', $method);
	push @cmd, '-I' if $method eq 'HEAD';
	# TLS with a throwaway certificate (TCLOUD_FRONT=nginx-tls).
	push @cmd, '--cacert', $ENV{TCLOUD_CA} if $ENV{TCLOUD_CA};
	push @cmd, '-H', "Authorization: Bearer $o{token}" if defined $o{token};
	push @cmd, '-H', "X-API-Key: $o{key}" if defined $o{key};
	push @cmd, '-H', "X-Forwarded-For: " . ($o{ip} // $CLIENT_IP);
	push @cmd, '-H', $_ for @{ $o{headers} // [] };
	push @cmd, '--http1.1' if $o{http1};
	if (exists $o{json}) {
		my $f = write_file("$TMP/req.$tag", ref $o{json} ? $json->encode($o{json}) : $o{json});
		push @cmd, '-H', 'Content-Type: ' . ($o{ctype} // 'application/json'),
		    '--data-binary', "\@$f";
	} elsif (exists $o{raw}) {
		my $f = write_file("$TMP/req.$tag", $o{raw});
		push @cmd, '-H', "Content-Type: $o{ctype}" if $o{ctype};
		push @cmd, '--data-binary', "\@$f";
	}
	push @cmd, map { ('-F', $_) } @{ $o{form} // [] };
	push @cmd, defined $o{base} ? $o{base} . $path : url($path);
	open my $fh, '-|', @cmd or die "curl: $!";
	my $code = <$fh> // '';
	close $fh;
	my %h;
	my $status = $code + 0;
	if (-e $hdr) {
		for my $line (split /\r?\n/, read_file($hdr)) {
			$h{ lc $1 } = $2 if $line =~ /^([^:\s]+):\s*(.*)$/;
		}
	}
	my $b = $o{out} ? '' : (-e $body ? read_file($body) : '');
	my $j;
	if (($h{'content-type'} // '') =~ m{^application/json}) {
		$j = eval { $json->decode($b) };
	}
	return { status => $status, headers => \%h, body => $b, json => $j };
}

sub json_of { $json->encode($_[0]) }

# Run tcloudctl with the test config; returns (exit code, output).
sub ctl {
	my ($args, $stdin) = @_;
	my $cmd = "$ENV{TCLOUD_CTL} $args 2>&1";
	my $out;
	if (defined $stdin) {
		my ($fh, $f) = tempfile(DIR => $TMP);
		print $fh $stdin;
		close $fh;
		$out = `$cmd < $f`;
	} else {
		$out = `$cmd`;
	}
	return ($? >> 8, $out);
}

# The pids of this stack's workers, whoever started them (multiwatch,
# mod_fcgid): processes running its tcloud.fcgi binary.
sub worker_pids {
	my $exe = Cwd::realpath("$ENV{TCLOUD_STATE}/build/tcloud.fcgi") // return ();
	my @p;
	opendir my $d, '/proc' or return ();
	for my $pid (grep { /^\d+$/ } readdir $d) {
		my $e = readlink "/proc/$pid/exe" // next;
		next unless $e eq $exe;
		my $st = read_file("/proc/$pid/status");
		push @p, $pid + 0 unless $st =~ /^State:\s+Z/m;
	}
	closedir $d;
	return sort { $a <=> $b } @p;
}

sub random_name {
	my ($prefix) = @_;
	return ($prefix // 'u') . join('', map { ('a'..'z', 0..9)[rand 36] } 1..8);
}

sub admin_token {
	my $r = api('POST', '/api/auth/login',
	    json => { username => 'admin', password => $ENV{TCLOUD_ADMIN_PASSWORD} // 'admin-test-password' });
	die "admin login failed: $r->{status} $r->{body}" unless $r->{status} == 200;
	return $r->{json}{token};
}

# Register and (unless pending => 1) approve a user; returns
# { id, username, password, token }.
sub new_user {
	my (%o) = @_;
	my $name = $o{username} // random_name();
	my $pw = $o{password} // 'password-' . $name;
	my $r = api('POST', '/api/auth/register',
	    json => { username => $name, email => "$name\@example.com", password => $pw });
	die "register $name: $r->{status} $r->{body}" unless $r->{status} == 201;
	my $u = { username => $name, password => $pw };
	my $admin = admin_token();
	my $list = api('GET', '/api/admin/users?status=pending', token => $admin);
	($u->{id}) = map { $_->{id} } grep { $_->{username} eq $name } @{ $list->{json} };
	return $u if $o{pending};
	my $p = api('PATCH', "/api/admin/users/$u->{id}", token => $admin,
	    json => { approved => JSON::PP::true, %{ $o{patch} // {} } });
	die "approve $name: $p->{status} $p->{body}" unless $p->{status} == 200;
	$u->{token} = login_token($name, $pw);
	return $u;
}

sub login_token {
	my ($name, $pw) = @_;
	my $r = api('POST', '/api/auth/login', json => { username => $name, password => $pw });
	die "login $name: $r->{status} $r->{body}" unless $r->{status} == 200;
	return $r->{json}{token};
}

1;
