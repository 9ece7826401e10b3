//! Back/forward history of one pane, like a web browser's.

use crate::fs::Location;

/// How far back the history goes.
const LIMIT: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    back: Vec<Location>,
    forward: Vec<Location>,
}

/// How a pending listing moves through the history once it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// A new place: the old one goes on the back stack, forward is cleared.
    Visit,
    Back,
    Forward,
    /// A refresh or a repeat: the history does not change.
    Stay,
}

impl History {
    /// Where `Back` would go.
    pub fn peek_back(&self) -> Option<&Location> {
        self.back.last()
    }

    pub fn peek_forward(&self) -> Option<&Location> {
        self.forward.last()
    }

    /// Records that the pane moved from `from` by `nav`.
    pub fn record(&mut self, from: Location, nav: Nav) {
        match nav {
            Nav::Visit => {
                self.back.push(from);
                self.forward.clear();
            }
            Nav::Back => {
                self.back.pop();
                self.forward.push(from);
            }
            Nav::Forward => {
                self.forward.pop();
                self.back.push(from);
            }
            Nav::Stay => {}
        }
        if self.back.len() > LIMIT {
            self.back.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(p: &str) -> Location {
        Location::Local(p.into())
    }

    #[test]
    fn back_and_forward_like_a_browser() {
        let mut h = History::default();
        h.record(at("/a"), Nav::Visit); // now at /b
        h.record(at("/b"), Nav::Visit); // now at /c
        assert_eq!(h.peek_back(), Some(&at("/b")));
        h.record(at("/c"), Nav::Back); // now at /b
        assert_eq!(h.peek_forward(), Some(&at("/c")));
        assert_eq!(h.peek_back(), Some(&at("/a")));
        h.record(at("/b"), Nav::Forward); // now at /c
        assert_eq!(h.peek_forward(), None);
        h.record(at("/c"), Nav::Back);
        h.record(at("/b"), Nav::Visit); // now at /d: forward is gone
        assert_eq!(h.peek_forward(), None);
    }
}
