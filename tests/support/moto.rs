//! A real moto server (IAM and STS emulator) on a free 127.0.0.1 port, stopped on drop.
//! Missing `moto_server` fails the test with an install hint: it never skips.
#![allow(dead_code)] // each test crate uses a part of the harness

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Moto {
    /// Starts `moto_server` and waits until it answers.
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let port_text = port.to_string();
        let spawn = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .args(["-H", "127.0.0.1", "-p", &port_text])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        };
        // The console script, or the module when the script is not on PATH (fresh pyenv shims).
        let child = spawn("moto_server", &[])
            .or_else(|_| spawn("python3", &["-m", "moto.server"]))
            .unwrap_or_else(|error| {
                panic!("cannot start moto_server ({error}): install it with `pip install \"moto[server]\"` (the README's test command does)")
            });
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if answers(port) {
                return moto;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "the moto server did not answer on port {port} within 60 s: is moto installed? `pip install \"moto[server]\"`"
        );
    }
}

fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let mut reply = [0u8; 12];
    stream.write_all(request.as_bytes()).is_ok() && stream.read(&mut reply).is_ok_and(|n| n > 0)
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// An IAM client for this server, with test credentials.
    pub fn iam(&self) -> aws_sdk_iam::Client {
        use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// Runs `script` (`aws …` lines such as `policy --format cli` writes) with the real `aws`
    /// CLI pointed at this server through `--endpoint-url`, in a directory `name` of its own,
    /// with test credentials and nothing of this machine's AWS configuration.
    pub fn run_aws_script(&self, name: &str, script: &str) -> std::process::Output {
        let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let wrapped = format!(
            "set -euo pipefail\naws() {{ command aws --endpoint-url \"$MOTO\" \"$@\"; }}\n{script}"
        );
        Command::new("bash")
            .arg("-c")
            .arg(wrapped)
            .current_dir(&dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", std::env::var("HOME").unwrap_or_default())
            .env("MOTO", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap_or_else(|error| {
                panic!("cannot run bash ({error}); the script needs the AWS CLI: `pip install awscli` (scripts/test.sh does)")
            })
    }

    /// Creates an OIDC provider and one role trusting it with `policy`.
    pub fn create_provider_and_role(&self, url: &str, client_id: &str, role: &str, policy: &str) {
        let client = self.iam();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            client
                .create_open_id_connect_provider()
                .url(url)
                .client_id_list(client_id)
                .thumbprint_list("0".repeat(40))
                .send()
                .await
                .unwrap();
            client
                .create_role()
                .role_name(role)
                .assume_role_policy_document(policy)
                .send()
                .await
                .unwrap();
        });
    }
}
