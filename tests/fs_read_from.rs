//! Reading a file from an offset on a real sshd, as the viewer's follow
//! mode does (`FileSystem::read_from`): what follows the offset and the
//! size, nothing past the end, a smaller size once the file shrank; a name
//! with quotes and spaces; the same on this machine.

mod support;

use scpdeck::fs::{FileSystem, LocalFs, RemoteFs};
use support::Sshd;

#[test]
fn reads_what_was_appended_after_an_offset_here_and_on_a_host() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("it's a \"log\" file.txt");
    std::fs::write(&path, b"0123456789").unwrap();
    let sshd = Sshd::start();
    let session = sshd.session();
    let remote = RemoteFs::open(session.link()).unwrap();
    let local = LocalFs::new();
    for (name, fs) in [("remote", &remote as &dyn FileSystem), ("local", &local as &dyn FileSystem)] {
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(fs.read_from(&path, 4, 1024).unwrap(), (b"456789".to_vec(), 10), "{name}");
        assert_eq!(fs.read_from(&path, 4, 3).unwrap(), (b"456".to_vec(), 10), "{name}");
        assert_eq!(fs.read_from(&path, 10, 1024).unwrap(), (Vec::new(), 10), "{name}");
        std::fs::write(&path, b"0123456789abc\n").unwrap();
        assert_eq!(fs.read_from(&path, 10, 1024).unwrap(), (b"abc\n".to_vec(), 14), "{name}");
        std::fs::write(&path, b"012").unwrap();
        assert_eq!(fs.read_from(&path, 14, 1024).unwrap(), (Vec::new(), 3), "{name}: shrank");
        assert!(fs.read_from(&dir.path().join("absent"), 0, 10).is_err(), "{name}");
    }
}
