# A second, private set of workers behind its own front, sharing the
# test stack's database and keys but with its own tcloud.conf overrides
# (a tiny data_dir, short send deadlines...).  Started by a test, stopped
# (by pid) when it ends.  It is nginx and spawn-fcgi, or, when the test
# stack is Apache mod_fcgid and the test allows it (fcgid => 1), a
# second Apache with the stack's mod_fcgid config: mod_fcgid spawns the
# workers as the site's user, as on a shared host.
package SideStack;
use strict;
use warnings;
use Exporter 'import';
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Time::HiRes qw(sleep);

our @EXPORT = qw(side_stack);

sub free_port {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0)
	    or die "no free port: $!";
	my $p = $s->sockport;
	close $s;
	return $p;
}

sub slurp { open my $fh, '<', $_[0] or return ''; local $/; my $d = <$fh>; close $fh; $d // '' }

# side_stack(conf => { key => value }, workers => N, dir => DIR,
# nginx_edit => sub { $_[0] =~ s/../../ } to alter its nginx.conf): returns an
# object with url(), dir() and stop().  dir, if given, must exist (e.g. a
# mount point); data_dir defaults to DIR/data.
sub side_stack {
	my (%o) = @_;
	my $S = $ENV{TCLOUD_STATE} or die 'TCLOUD_STATE is not set';
	my $root = $ENV{TCLOUD_ROOT} or die 'TCLOUD_ROOT is not set';
	my $dir = $o{dir} // tempdir(CLEANUP => 1);
	mkdir "$dir/$_" for qw(run log nginx);
	mkdir "$dir/nginx/body";
	chmod 0700, $dir, "$dir/nginx", "$dir/nginx/body";
	my %conf = (data_dir => "$dir/data", log_file => "$dir/log/tcloud.log", %{ $o{conf} // {} });
	my $text = '';
	for my $line (split /\n/, slurp("$S/tcloud.conf")) {
		next if $line =~ /^\s*(\w+)\s*=/ && exists $conf{$1};
		$text .= "$line\n";
	}
	$text .= "$_ = $conf{$_}\n" for sort keys %conf;
	open my $fh, '>', "$dir/tcloud.conf" or die "$dir/tcloud.conf: $!";
	print $fh $text;
	close $fh;
	chmod 0600, "$dir/tcloud.conf";
	# The side workers run as this user (under mod_fcgid TCLOUD_CTL
	# runs tcloudctl as the site's user: not here).
	system("$S/build/tcloudctl -c $dir/tcloud.conf init >/dev/null 2>&1") == 0 or die 'side init failed';
	return fcgid_side($dir, $o{workers} // 2)
	    if $o{fcgid} && ($ENV{TCLOUD_FRONT} // '') eq 'apache-fcgid';
	my $n = $o{workers} // 2;
	system("spawn-fcgi -s $dir/run/tcloud.sock -M 0600 -F $n -P $dir/run/tcloud.pid "
	    . "-- $S/build/tcloud.fcgi -c $dir/tcloud.conf >/dev/null") == 0
	    or die 'side spawn-fcgi failed';
	my ($port, $uport) = (free_port(), free_port());
	my $user = $> == 0 ? 'user root root;' : '';
	my $ng = slurp("$root/conf/nginx-dev.conf.in");
	$ng =~ s/\@STATE\@/$dir/g;
	$ng =~ s/\@PORT\@/$port/g;
	$ng =~ s/\@UNBUFFERED_PORT\@/$uport/g;
	$ng =~ s/\@ROOT\@/$root/g;
	$ng =~ s/\@USER_LINE\@/$user/g;
	$ng =~ s/\@MAX_BODY\@/2049m/g;
	$o{nginx_edit}->($ng) if $o{nginx_edit};
	open $fh, '>', "$dir/nginx.conf" or die;
	print $fh $ng;
	close $fh;
	system("nginx -p $dir/nginx -c $dir/nginx.conf 2>>$dir/log/nginx-error.log") == 0
	    or die 'side nginx failed: ' . slurp("$dir/log/nginx-error.log");
	my $self = bless { dir => $dir, url => "http://127.0.0.1:$port" }, __PACKAGE__;
	for (1 .. 100) {
		last if `curl -s -o /dev/null -w '%{http_code}' $self->{url}/api/health` eq '200';
		sleep 0.1;
	}
	return $self;
}

# The test stack's Apache config (tcloud-dev) with this dir's port,
# runtime files, logs and tcloud.conf; the site (.htaccess, dashboard,
# tcloud.fcgi) is the stack's.  At most $n processes.
sub fcgid_side {
	my ($dir, $n) = @_;
	my $S = $ENV{TCLOUD_STATE};
	my $port = free_port();
	mkdir "$dir/apache";
	for my $f (qw(httpd.conf site.conf)) {
		my $c = slurp("$S/apache/$f");
		$c =~ s/^Listen 127\.0\.0\.1:\d+$/Listen 127.0.0.1:$port/m;
		$c =~ s/<VirtualHost \*:\d+>/<VirtualHost *:$port>/;
		$c =~ s/\Q$S\E\/apache\b/$dir\/apache/g;
		$c =~ s/\Q$S\E\/log\/apache-/$dir\/log\/apache-/g;
		$c =~ s/TCLOUD_CONF \Q$S\E\/tcloud\.conf/TCLOUD_CONF $dir\/tcloud.conf/;
		$c =~ s/^(<VirtualHost [^\n]*\n)/$1FcgidMaxProcessesPerClass $n\n/m if $f eq 'site.conf';
		open my $fh, '>', "$dir/apache/$f" or die "$dir/apache/$f: $!";
		print $fh $c;
		close $fh;
	}
	# As tcloud-dev runs the stack's: Apache and its workers as the
	# site's user, who owns what they touch.
	my $as = '';
	for (qw(error access)) {
		open my $fh, '>>', "$dir/log/apache-$_.log" or die "$dir/log: $!";
		close $fh;
	}
	if ($> == 0) {
		system('chown', '-R', 'www-data:', $dir) == 0 or die 'side chown failed';
		$as = 'runuser -u www-data -- ';
	}
	system("${as}apache2 -f $dir/apache/httpd.conf -k start 2>>$dir/log/apache-error.log") == 0
	    or die 'side Apache failed: ' . slurp("$dir/log/apache-error.log");
	my $self = bless { dir => $dir, url => "http://127.0.0.1:$port", apache => 1 }, __PACKAGE__;
	for (1 .. 100) {
		last if `curl -s -o /dev/null -w '%{http_code}' $self->{url}/api/health` eq '200';
		sleep 0.1;
	}
	return $self;
}

sub url { $_[0]{url} . ($_[1] // '') }
sub dir { $_[0]{dir} }
sub workers { my $p = slurp("$_[0]{dir}/run/tcloud.pid"); grep { /^\d+$/ } split /\s+/, $p }

sub stop {
	my ($self) = @_;
	return if $self->{stopped}++;
	if ($self->{apache}) {
		# Apache stops its mod_fcgid processes (TERM, then KILL).
		my ($pid) = slurp("$self->{dir}/apache/apache.pid") =~ /(\d+)/ or return;
		kill 'TERM', $pid;
		for (1 .. 100) {
			last unless kill 0, $pid and slurp("/proc/$pid/status") !~ /^State:\s+Z/m;
			sleep 0.1;
		}
		return;
	}
	my $ng = slurp("$self->{dir}/run/nginx.pid");
	my @pids = ($self->workers, ($ng =~ /(\d+)/ ? $1 : ()));
	kill 'TERM', @pids;
	for (1 .. 50) {
		last unless grep { kill 0, $_ and slurp("/proc/$_/status") !~ /^State:\s+Z/m } @pids;
		sleep 0.1;
	}
}

sub DESTROY { $_[0]->stop }

1;
