//! The service layer both front ends stand on (as cargo's `ops`): where the account comes from
//! (demo · snapshot · live AWS), reading a token, assuming a role and diagnosing the answer,
//! the default session name, the credential formats, and CloudTrail's events explained. `cli/` and `tui/` call this and the
//! domain, never each other; `aws/` is reached only through here.

mod account;
mod assume;
mod credentials;
mod environment;
mod failure;
mod files;
mod keys;
mod names;
mod runtime;
mod setup;
mod tokens;
mod trail;

pub use account::{AccountChoice, LoadedAccount, LoadedRole, Session};
pub use assume::{AssumeResult, Assumed, Refusal};
pub use credentials::{CredentialFormat, credentials_text};
pub use environment::SystemEnvironment;
pub use failure::{Exit, Failure};
pub use files::{read_json_object, read_text, write_atomically};
pub use keys::KeyOptions;
pub use names::default_session_name;
pub use runtime::block_on;
pub use setup::{Confirm, SetupAccount};
pub use tokens::{LITERAL_WARNING, ReadToken, Stdin, TokenChoice, read_token};
pub use trail::{LookedUp, read_trail};
