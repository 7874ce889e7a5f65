//! The default `RoleSessionName`, the same for every front end.

use crate::token::Environment;

/// Semaphore's guide: `semaphore-job-$SEMAPHORE_JOB_ID`; otherwise `trustlens-<epoch>`. Any
/// character outside STS's `[\w+=,.@-]` becomes `-`, and the name is cut at 64 characters.
pub fn default_session_name(env: &dyn Environment, now: i64) -> String {
    let raw = match env.var("SEMAPHORE_JOB_ID").filter(|id| !id.is_empty()) {
        Some(job) => format!("semaphore-job-{job}"),
        None => format!("trustlens-{now}"),
    };
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::path::Path;

    use super::*;
    use crate::token::InputKind;

    /// Only `SEMAPHORE_JOB_ID`, set to the given value.
    struct Job(Option<&'static str>);

    impl Environment for Job {
        fn var(&self, name: &str) -> Option<String> {
            self.0
                .filter(|_| name == "SEMAPHORE_JOB_ID")
                .map(str::to_owned)
        }
        fn vars(&self) -> Vec<(String, String)> {
            Vec::new()
        }
        fn read_file(&self, _: &Path, _: InputKind) -> io::Result<Vec<u8>> {
            Err(io::Error::from(io::ErrorKind::NotFound))
        }
        fn read_stdin(&self, _: InputKind) -> io::Result<Vec<u8>> {
            Ok(Vec::new())
        }
    }

    #[test]
    fn a_semaphore_job_names_its_session_as_semaphore_s_guide_does() {
        let name = default_session_name(&Job(Some("a1b2c3d4-0000")), 7);
        assert_eq!(name, "semaphore-job-a1b2c3d4-0000");
    }

    #[test]
    fn elsewhere_the_clock_names_it_and_stray_characters_become_dashes() {
        assert_eq!(
            default_session_name(&Job(None), 1_795_629_600),
            "trustlens-1795629600"
        );
        assert_eq!(default_session_name(&Job(Some("")), 5), "trustlens-5");
        let odd = default_session_name(&Job(Some("job/1 ü")), 0);
        assert_eq!(odd, "semaphore-job-job-1--");
        let long = default_session_name(&Job(Some(&*"x".repeat(100).leak())), 0);
        assert_eq!(long.chars().count(), 64);
    }
}
