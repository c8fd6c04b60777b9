//! A private Mosquitto for one test, configured exactly as the project ships it
//! (`deploy/mosquitto/start.sh` rendering `mosquitto.conf.in`): authentication by the dynamic
//! security plugin, persistent queues. Each test gets its own port and folder, so tests running
//! side by side never see each other's accounts, sessions or readings.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Broker {
    child: Child,
    dir: PathBuf,
    pub port: u16,
    /// `mqtt://yiyang:<password>@127.0.0.1:<port>`: yiyang's own (administrator) account.
    pub admin_url: String,
}

/// The repository's `deploy/mosquitto/start.sh`.
pub fn start_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/mosquitto/start.sh")
}

impl Broker {
    /// Starts the broker and waits until it accepts connections.
    pub fn start() -> Broker {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("yiyang-broker-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let child = Command::new("bash")
            .arg(start_script())
            .args(["--dir", dir.to_str().expect("utf-8 temp dir")])
            .args(["--port", &port.to_string()])
            .env_remove("YIYANG_BROKER_PASSWORD")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("run deploy/mosquitto/start.sh (is mosquitto installed?)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not open port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let admin_url = std::fs::read_to_string(dir.join("mqtt-url"))
            .expect("start.sh writes mqtt-url")
            .trim()
            .to_string();
        Broker {
            child,
            dir,
            port,
            admin_url,
        }
    }

    /// `mqtt://127.0.0.1:<port>` with no account.
    pub fn anonymous_url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// `mqtt://user:password@127.0.0.1:<port>`.
    pub fn url_as(&self, user: &str, password: &str) -> String {
        format!("mqtt://{user}:{password}@127.0.0.1:{}", self.port)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        // start.sh execs mosquitto, so the child is the broker itself.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("local addr").port()
}
