//! Wildcard matching as IAM does it: `*` (any run, even empty) and `?` (one character).

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glob {
    /// A literal character.
    Char(char),
    /// `*`.
    AnyRun,
    /// `?`.
    AnyOne,
}

/// Text from a policy, split into what may hold wildcards and what may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Written in the policy: `*` and `?` are wildcards for Like operators.
    Text(String),
    /// From a policy variable or an escape (`${*}`): always literal.
    Literal(String),
}

/// The plain text of pieces (what Equals operators compare).
pub fn plain(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) | Piece::Literal(text) => text.as_str(),
        })
        .collect()
}

/// The pattern of pieces (what Like operators match).
pub fn pattern(pieces: &[Piece]) -> Vec<Glob> {
    let bytes = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) | Piece::Literal(text) => text.len(),
        })
        .sum();
    // One vector, sized for the longest case (one character a byte); it lives for one match.
    let mut globs = Vec::with_capacity(bytes);
    for piece in pieces {
        match piece {
            Piece::Text(text) => globs.extend(text.chars().map(|c| match c {
                '*' => Glob::AnyRun,
                '?' => Glob::AnyOne,
                other => Glob::Char(other),
            })),
            Piece::Literal(text) => globs.extend(text.chars().map(Glob::Char)),
        }
    }
    globs
}

/// Where a matcher reads pattern elements: the element at a position and the next position.
trait PatternSource {
    fn at(&self, position: usize) -> Option<(Glob, usize)>;
}

impl PatternSource for [Glob] {
    fn at(&self, position: usize) -> Option<(Glob, usize)> {
        self.get(position).map(|glob| (*glob, position + 1))
    }
}

/// Policy text read in place: `*` and `?` are wildcards (no allocation).
struct Wildcards<'a>(&'a str);

impl PatternSource for Wildcards<'_> {
    fn at(&self, position: usize) -> Option<(Glob, usize)> {
        let c = self.0.get(position..)?.chars().next()?;
        let glob = match c {
            '*' => Glob::AnyRun,
            '?' => Glob::AnyOne,
            other => Glob::Char(other),
        };
        Some((glob, position + c.len_utf8()))
    }
}

/// Two characters equal, or equal once lower-cased when `ignore_case`.
pub fn same_char(a: char, b: char, ignore_case: bool) -> bool {
    a == b || (ignore_case && a.to_lowercase().eq(b.to_lowercase()))
}

/// Greedy matching with backtracking to the last `*`: O(n·m) at worst, no allocation. Used for
/// case-insensitive matching (actions, short ARN parts); [`segment_match`] does the rest.
fn wildcard_match<P: PatternSource + ?Sized>(pattern: &P, text: &str, ignore_case: bool) -> bool {
    let char_at = |position: usize| text.get(position..).and_then(|rest| rest.chars().next());
    let (mut p, mut t) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while let Some(c) = char_at(t) {
        match pattern.at(p) {
            Some((Glob::AnyRun, next)) => {
                resume = Some((next, t));
                p = next;
            }
            Some((Glob::AnyOne, next)) => {
                p = next;
                t += c.len_utf8();
            }
            Some((Glob::Char(expected), next)) if same_char(expected, c, ignore_case) => {
                p = next;
                t += c.len_utf8();
            }
            _ => match resume {
                Some((after_star, from)) => {
                    let skipped = char_at(from).map_or(1, char::len_utf8);
                    p = after_star;
                    t = from + skipped;
                    resume = Some((after_star, from + skipped));
                }
                None => return false,
            },
        }
    }
    while let Some((Glob::AnyRun, next)) = pattern.at(p) {
        p = next;
    }
    pattern.at(p).is_none()
}

/// Does `text` match `pattern`?
pub fn glob_matches(pattern: &[Glob], text: &str, ignore_case: bool) -> bool {
    if ignore_case {
        wildcard_match(pattern, text, true)
    } else {
        segment_match(pattern, text)
    }
}

/// Does `text` match the policy text `pattern` (`*` and `?` wildcards)?
pub fn like(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if ignore_case {
        wildcard_match(&Wildcards(pattern), text, true)
    } else if !pattern.contains('?') {
        star_match(pattern, text)
    } else {
        let globs: Vec<Glob> = (0..)
            .scan(0, |position, _| {
                let (glob, next) = Wildcards(pattern).at(*position)?;
                *position = next;
                Some(glob)
            })
            .collect();
        segment_match(&globs, text)
    }
}

/// [`segment_match`] for a pattern without `?`, on the text itself (no allocation): the pieces
/// between `*`s are literals, placed at their leftmost positions.
fn star_match(pattern: &str, text: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(last) = pieces.next_back() else {
        return text == pattern;
    };
    if !text.starts_with(first) {
        return false;
    }
    let mut at = first.len();
    for piece in pieces {
        match text.get(at..).and_then(|rest| rest.find(piece)) {
            Some(offset) => at += offset + piece.len(),
            None => return false,
        }
    }
    text.len() >= at + last.len() && text.ends_with(last)
}

/// Case-sensitive matching in near-linear time, whatever the input: the pattern is split at
/// each `*` into fixed-length segments, and each is placed at its leftmost position after the
/// previous one (which is optimal for fixed-length pieces) — the first anchored at the start,
/// the last at the end. A segment without `?` is found with `str::find` (linear); one with `?`
/// is compared in place.
fn segment_match(pattern: &[Glob], text: &str) -> bool {
    let segments: Vec<&[Glob]> = pattern.split(|g| *g == Glob::AnyRun).collect();
    let [first, middle @ .., last] = segments.as_slice() else {
        return segment_at(segments.first().copied().unwrap_or(&[]), text, 0)
            .is_some_and(|end| end == text.len());
    };
    let Some(mut at) = segment_at(first, text, 0) else {
        return false;
    };
    for segment in middle {
        match find_segment(segment, text, at) {
            Some(end) => at = end,
            None => return false,
        }
    }
    // The last segment ends the text, after everything placed so far.
    let length = last.len();
    let Some(start) = text
        .char_indices()
        .rev()
        .nth(length.wrapping_sub(1))
        .map(|(i, _)| i)
        .or((length == 0).then_some(text.len()))
    else {
        return false;
    };
    start >= at && segment_at(last, text, start) == Some(text.len())
}

/// Where `segment` (no `*`) ends when it matches `text` at byte `at`.
fn segment_at(segment: &[Glob], text: &str, at: usize) -> Option<usize> {
    let mut chars = text.get(at..)?.char_indices();
    let mut end = at;
    for glob in segment {
        let (offset, c) = chars.next()?;
        match glob {
            Glob::Char(expected) if *expected != c => return None,
            _ => end = at + offset + c.len_utf8(),
        }
    }
    Some(end)
}

/// Where `segment` ends at its leftmost match in `text` from byte `from`.
fn find_segment(segment: &[Glob], text: &str, from: usize) -> Option<usize> {
    if segment.is_empty() {
        return Some(from);
    }
    if segment.iter().all(|g| matches!(g, Glob::Char(_))) {
        let literal: String = segment
            .iter()
            .filter_map(|g| match g {
                Glob::Char(c) => Some(*c),
                _ => None,
            })
            .collect();
        return text
            .get(from..)?
            .find(&literal)
            .map(|offset| from + offset + literal.len());
    }
    text.get(from..)?
        .char_indices()
        .find_map(|(offset, _)| segment_at(segment, text, from + offset))
}

/// Why a Like pattern did not match: the literal part that could not be placed, and the
/// character offset in the text where it was looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LikeMiss {
    /// The literal run of the pattern that failed (empty when the text is too long or short).
    pub literal: String,
    /// Where in the text it was expected (character offset).
    pub at: usize,
    /// True when the literal had to start exactly there (no `*` before it).
    pub anchored: bool,
}

/// Explains a failed Like match (call only when [`glob_matches`] is false).
pub fn explain_like(pattern: &[Glob], text: &str) -> LikeMiss {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let mut anchored = true;
    let mut index = 0;
    while index < pattern.len() {
        match pattern[index] {
            Glob::AnyRun => {
                anchored = false;
                index += 1;
            }
            Glob::AnyOne => {
                if at >= chars.len() {
                    return LikeMiss {
                        literal: "?".to_owned(),
                        at,
                        anchored,
                    };
                }
                at += 1;
                index += 1;
            }
            Glob::Char(_) => {
                let literal: String = pattern[index..]
                    .iter()
                    .map_while(|g| match g {
                        Glob::Char(c) => Some(*c),
                        _ => None,
                    })
                    .collect();
                let length = literal.chars().count();
                let is_last = index + length == pattern.len();
                let found = if anchored {
                    starts_with_at(&chars, at, &literal).then_some(at)
                } else if is_last {
                    // The final literal must end the text.
                    let start = chars.len().checked_sub(length).filter(|s| *s >= at);
                    start.filter(|s| starts_with_at(&chars, *s, &literal))
                } else {
                    // Leftmost occurrence, found in linear time.
                    let rest: String = chars.get(at..).unwrap_or_default().iter().collect();
                    rest.find(&literal)
                        .map(|byte| at + rest[..byte].chars().count())
                };
                match found {
                    Some(start) => at = start + length,
                    None if anchored => {
                        // Point at the first character that differs, not at the literal's start.
                        let common = literal
                            .chars()
                            .zip(chars.iter().skip(at))
                            .take_while(|(a, b)| a == *b)
                            .count();
                        return LikeMiss {
                            literal: literal.chars().skip(common).collect(),
                            at: at + common,
                            anchored,
                        };
                    }
                    None => {
                        return LikeMiss {
                            literal,
                            at,
                            anchored,
                        };
                    }
                }
                index += length;
                anchored = true;
            }
        }
    }
    LikeMiss {
        literal: String::new(),
        at,
        anchored: true,
    }
}

fn starts_with_at(chars: &[char], at: usize, literal: &str) -> bool {
    (at..)
        .zip(literal.chars())
        .all(|(position, c)| chars.get(position) == Some(&c))
}

/// Does an action pattern (`sts:AssumeRole*`) name `action`? Case-insensitive.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    like(pattern, action, true)
}

/// ArnLike/ArnEquals: each of the six `:`-separated parts matched on its own, case-sensitively.
pub fn arn_matches(pattern: &[Glob], arn: &str) -> bool {
    let parts: Vec<&[Glob]> = split_arn_pattern(pattern);
    let values: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && values.len() == 6
        && parts
            .iter()
            .zip(&values)
            .all(|(part, value)| glob_matches(part, value, false))
}

fn split_arn_pattern(pattern: &[Glob]) -> Vec<&[Glob]> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (index, glob) in pattern.iter().enumerate() {
        if *glob == Glob::Char(':') && parts.len() < 5 {
            parts.push(&pattern[start..index]);
            start = index + 1;
        }
    }
    parts.push(&pattern[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern_of(text: &str) -> Vec<Glob> {
        pattern(&[Piece::Text(text.to_owned())])
    }

    fn like(pattern: &str, text: &str) -> bool {
        let by_glob = glob_matches(&pattern_of(pattern), text, false);
        assert_eq!(
            by_glob,
            super::like(pattern, text, false),
            "{pattern} vs {text}"
        );
        by_glob
    }

    #[test]
    fn like_follows_iam_wildcards() {
        assert!(like("repo:o/r:*", "repo:o/r:ref:refs/heads/main"));
        assert!(like("*", ""));
        assert!(like("a*b*c", "aXXbYYc"));
        assert!(like("a?c", "abc"));
        assert!(!like("a?c", "ac"));
        assert!(!like(
            "repo:o/r:ref:refs/heads/main",
            "repo:o/r:ref:refs/heads/main2"
        ));
        assert!(like("*main", "refs/heads/main"));
        assert!(!like("Repo:*", "repo:x"));
        assert!(glob_matches(&pattern_of("Repo:*"), "repo:x", true));
        assert!(like(
            "a*a*a*a*b",
            &"a".repeat(40).to_owned().replace("aaaa", "aaab")
        ));
    }

    #[test]
    fn literal_pieces_are_never_wildcards() {
        let pieces = [Piece::Text("a".into()), Piece::Literal("*".into())];
        assert!(!glob_matches(&pattern(&pieces), "abc", false));
        assert!(glob_matches(&pattern(&pieces), "a*", false));
        assert_eq!(plain(&pieces), "a*");
    }

    #[test]
    fn explains_which_literal_failed() {
        let miss = |p: &str, t: &str| explain_like(&pattern_of(p), t);
        assert_eq!(
            miss(
                "org:acme:*:ref_type:branch:*",
                "org:acme:project:x:ref_type:pull-request:ref:y"
            ),
            LikeMiss {
                literal: ":ref_type:branch:".into(),
                at: 9,
                anchored: false
            }
        );
        assert_eq!(
            miss("repo:a/*", "repo:b/c"),
            LikeMiss {
                literal: "a/".into(),
                at: 5,
                anchored: true
            }
        );
        assert_eq!(
            miss("*:main", "x:dev"),
            LikeMiss {
                literal: ":main".into(),
                at: 0,
                anchored: false
            }
        );
    }

    #[test]
    fn actions_and_arns() {
        assert!(action_matches(
            "STS:assumerole*",
            "sts:AssumeRoleWithWebIdentity"
        ));
        assert!(!action_matches(
            "sts:AssumeRole",
            "sts:AssumeRoleWithWebIdentity"
        ));
        let arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        assert!(arn_matches(
            &pattern_of("arn:aws:iam::*:oidc-provider/*"),
            arn
        ));
        assert!(!arn_matches(&pattern_of("arn:aws:iam::*"), arn));
        assert!(arn_matches(
            &pattern_of("arn:aws:sts::1:assumed-role/r/*"),
            "arn:aws:sts::1:assumed-role/r/a:b"
        ));
    }

    proptest::proptest! {
        /// The near-linear matcher decides exactly as the backtracking one.
        #[test]
        fn segment_matching_agrees_with_backtracking(pattern in "[ab*?é]{0,8}", text in "[abé]{0,10}") {
            let globs = pattern_of(&pattern);
            proptest::prop_assert_eq!(
                segment_match(&globs, &text),
                wildcard_match(globs.as_slice(), &text, false),
                "pattern {:?} text {:?}", pattern, text
            );
            proptest::prop_assert_eq!(
                super::like(&pattern, &text, false),
                wildcard_match(globs.as_slice(), &text, false),
                "pattern {:?} text {:?}", pattern, text
            );
        }
    }

    #[test]
    fn a_huge_pattern_against_a_huge_value_stays_linear() {
        // 20,000 characters against 900,000: the backtracking matcher needs ~10^10 steps here.
        let pattern = format!("*{}b*", "a".repeat(20_000));
        let text = "a".repeat(900_000);
        assert!(!super::like(&pattern, &text, false));
        assert!(super::like(
            &format!("*{}", "a".repeat(20_000)),
            &text,
            false
        ));
        let miss = explain_like(&pattern_of(&pattern), &text);
        assert_eq!(
            miss.literal.len(),
            20_001,
            "the trace names the literal that is missing"
        );
    }
}
