//! The python3 and perl listers. Both print the record format of
//! [`super::records`]; python3's `st_mtime_ns` is exact, perl's
//! `Time::HiRes::lstat` is a double (about a microsecond near 2020).

/// `python3 -c` program (run in the directory to list; with names as its
/// arguments, lists those entries only, and fails when one is missing).
pub(super) const PYTHON: &str = r#"import os,sys,stat,pwd,grp,errno
w=sys.stdout.buffer.write
U={};G={}
def nm(c,f,i):
 if i not in c:
  try:c[i]=os.fsencode(f(i)[0])
  except KeyError:c[i]=b'%d'%i
 return c[i]
T={stat.S_IFREG:b'f',stat.S_IFDIR:b'd',stat.S_IFLNK:b'l',stat.S_IFIFO:b'p',stat.S_IFSOCK:b's',stat.S_IFCHR:b'c',stat.S_IFBLK:b'b'}
def k(m):return T.get(stat.S_IFMT(m),b'u')
def tm(n):
 a,b=divmod(abs(n),10**9)
 return (b'-' if n<0 else b'')+b'%d.%09d'%(a,b)
F=0
L=[os.fsencode(a) for a in sys.argv[1:]]
if not L:
 try:L=os.listdir(b'.')
 except OSError as e:
  sys.stderr.write('scpdeck: %s\n'%e.strerror);sys.exit(2)
for n in L:
 try:s=os.lstat(n)
 except OSError as e:
  sys.stderr.write('scpdeck: %r: %s\n'%(n,e.strerror));F=1;continue
 y=k(s.st_mode);z=y;t=b''
 if y==b'l':
  try:t=os.readlink(n)
  except OSError:pass
  try:z=k(os.stat(n).st_mode)
  except OSError as e:z=b'L' if e.errno==errno.ELOOP else b'N'
 w(b'\0'.join([n,y+z,b'%d'%s.st_size,b'%o'%(s.st_mode&0o7777),tm(s.st_mtime_ns),nm(U,pwd.getpwuid,s.st_uid),nm(G,grp.getgrgid,s.st_gid),t])+b'\0')
sys.exit(1 if F and sys.argv[1:] else 0)
"#;

/// `perl -e` program (run in the directory to list; with names after `--`,
/// lists those entries only, and fails when one is missing).
pub(super) const PERL: &str = r#"use strict;binmode STDOUT;my $hr=eval{require Time::HiRes;1};my(%U,%G);my $F=0;
sub k{my $t=$_[0]&0170000;$t==0100000?"f":$t==0040000?"d":$t==0120000?"l":$t==0010000?"p":$t==0140000?"s":$t==0020000?"c":$t==0060000?"b":"u"}
my @L=@ARGV;unless(@L){opendir(my $d,".") or do{print STDERR "scpdeck: $!\n";exit 2};
@L=grep{$_ ne "." && $_ ne ".."}readdir $d;closedir $d}
for my $n (@L){
my @s=$hr?Time::HiRes::lstat($n):lstat($n);
unless(@s){print STDERR "scpdeck: lstat: $!\n";$F=1;next}
my $y=k($s[2]);my $z=$y;my $t="";
if($y eq "l"){$t=readlink($n);$t="" unless defined $t;my @x=stat($n);$z=@x?k($x[2]):$!{ELOOP}?"L":"N"}
$U{$s[4]}=(getpwuid($s[4]))[0]//$s[4] unless exists $U{$s[4]};
$G{$s[5]}=(getgrgid($s[5]))[0]//$s[5] unless exists $G{$s[5]};
my $m=$hr?sprintf("%.6f",$s[9]):$s[9];
print join("\0",$n,$y.$z,$s[7],sprintf("%o",$s[2]&07777),$m,$U{$s[4]},$G{$s[5]},$t),"\0";}
exit($F && @ARGV ? 1 : 0);"#;
