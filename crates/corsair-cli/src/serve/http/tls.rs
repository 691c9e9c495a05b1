//! HTTPS towards clients. [`Identity::load`] reads `tls_cert` (a PEM chain, the server's own
//! certificate first) and `tls_key` (PEM: PKCS#8, PKCS#1 or SEC1) and checks that the key
//! belongs to the first certificate. [`Tls`] is the rustls server configuration, built once at
//! start (the ring provider, TLS 1.3 and 1.2, ALPN `h2` then `http/1.1`, no 0-RTT), whose
//! certificate is read from an `ArcSwap` at every handshake: [`Tls::replace`] (a reload) gives
//! new handshakes the new pair while open connections keep the one they were made with, and
//! forgets the sessions clients could resume (a resumed session keeps the certificate it was
//! made with): every connection whose handshake starts after a reload is on the new
//! certificate.
//! [`accept`] bounds a handshake by `header_read_timeout` and says whether the client chose
//! HTTP/2. [`Identity::concerns`] says what a pair would break if served now ([`review`]: an
//! expired certificate, names of the running one it drops), which [`vet`] turns into warnings,
//! or, with `tls_strict`, into the error that refuses it. [`load_identity`] does all of it for
//! the pair a configuration names, at start and at every reload.
//!
//! Invariants: a pair is swapped in only once it was read whole and its key matched the
//! certificate; nothing here panics on a file's contents; the private key never reaches a log
//! line, an error message or `Debug` output (errors name the file and the problem, `Debug`
//! shows the certificate's serial number and chain length).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{
    ClientHello, ResolvesServerCert, ServerSessionMemoryCache, StoresServerSessions,
};
use rustls::sign::CertifiedKey;
use rustls::{InconsistentKeys, ServerConfig};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::settings::{self, Diagnostic, Loaded, Source};
pub(crate) use review::Concern;

mod review;

/// The ALPN protocol id of HTTP/2.
const H2: &[u8] = b"h2";
/// The ALPN protocol id of HTTP/1.1.
const HTTP1: &[u8] = b"http/1.1";
/// The largest PEM file read: a chain is a few KiB; anything this large is not one.
const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// A problem with `tls_cert` or `tls_key`: the key it concerns, the file, what is wrong (never
/// the key's contents) and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// `tls_cert` or `tls_key`.
    pub key: &'static str,
    /// The file that was read.
    pub file: PathBuf,
    /// What is wrong, naming the file.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl Problem {
    fn new(key: &'static str, file: &Path, problem: impl fmt::Display, fix: &str) -> Problem {
        Problem {
            key,
            file: file.to_owned(),
            message: format!("{}: {problem}", file.display()),
            fix: fix.to_owned(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.fix)
    }
}

/// A certificate chain and the private key it was issued for, checked to belong together.
pub(crate) struct Identity {
    certified: Arc<CertifiedKey>,
    serial: String,
    /// Its validity and names (`None` when the certificate cannot be read as X.509: rustls
    /// then judges it at the handshake, as the browser does).
    facts: Option<review::Facts>,
}

impl Identity {
    /// Reads and checks the pair named by `tls_cert` and `tls_key`.
    pub(crate) fn load(cert_file: &Path, key_file: &Path) -> Result<Identity, Problem> {
        let provider = rustls::crypto::ring::default_provider();
        let chain = read_chain(cert_file)?;
        let key = read_key(key_file)?;
        let signing = provider
            .key_provider
            .load_private_key(key)
            .map_err(|error| {
                Problem::new(
                    "tls_key",
                    key_file,
                    format_args!("the private key cannot be used ({error})"),
                    "use an RSA (2048 bits or more), ECDSA P-256/P-384 or Ed25519 key, unencrypted",
                )
            })?;
        let serial = serial_number(&chain[0]).unwrap_or_else(|| "unknown".to_owned());
        let facts = review::Facts::read(&chain[0]);
        let certified = CertifiedKey::new(chain, signing);
        match certified.keys_match() {
            // Unknown: the key cannot tell its public half (never with ring's keys).
            Ok(()) | Err(rustls::Error::InconsistentKeys(InconsistentKeys::Unknown)) => {}
            Err(rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) => {
                return Err(Problem::new(
                    "tls_key",
                    key_file,
                    format_args!(
                        "this private key does not belong to the certificate in {} (the \
                         public keys differ)",
                        cert_file.display()
                    ),
                    "point tls_key at the key the certificate was issued for (or tls_cert at the \
                     chain issued for this key); the server's own certificate comes first in \
                     the chain",
                ));
            }
            Err(error) => {
                return Err(Problem::new(
                    "tls_cert",
                    cert_file,
                    format_args!("the first certificate cannot be read ({error})"),
                    "write the chain as PEM, the server's own certificate first",
                ));
            }
        }
        Ok(Identity {
            certified: Arc::new(certified),
            serial,
            facts,
        })
    }

    /// What serving this pair at `now` would break, in place of `running` (`None` at start):
    /// an expired or not yet valid certificate, names of the running one it no longer covers.
    pub(crate) fn concerns(&self, running: Option<&Identity>, now: SystemTime) -> Vec<Concern> {
        let Some(facts) = &self.facts else {
            return Vec::new();
        };
        review::review(facts, running.and_then(|r| r.facts.as_ref()), now)
    }

    /// `serial 0a:1b:…, 2 certificates`: which certificate is served, for the log.
    pub(crate) fn describe(&self) -> String {
        let count = self.certified.cert.len();
        let plural = if count == 1 { "" } else { "s" };
        format!(
            "serial {}, chain of {count} certificate{plural}",
            self.serial
        )
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("serial", &self.serial)
            .field("certificates", &self.certified.cert.len())
            .finish_non_exhaustive()
    }
}

/// Reads a regular file of at most [`MAX_PEM_BYTES`], for `key`.
fn read(file: &Path, key: &'static str) -> Result<Vec<u8>, Problem> {
    settings::read_regular_bytes(file, MAX_PEM_BYTES).map_err(|error| {
        Problem::new(
            key,
            file,
            format_args!("cannot be read ({error})"),
            &format!("check the path and the file's permissions, or set {key} to another file"),
        )
    })
}

/// The certificates of `tls_cert`, in the file's order.
fn read_chain(file: &Path) -> Result<Vec<CertificateDer<'static>>, Problem> {
    let pem = read(file, "tls_cert")?;
    let fix = "write the chain as PEM (`-----BEGIN CERTIFICATE-----` sections), the server's own \
               certificate first, then its intermediates";
    let mut chain = Vec::new();
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        chain.push(certificate.map_err(|error| {
            Problem::new(
                "tls_cert",
                file,
                format_args!("is not valid PEM ({error})"),
                fix,
            )
        })?);
    }
    if chain.is_empty() {
        let problem = if PrivateKeyDer::from_pem_slice(&pem).is_ok() {
            "holds a private key but no certificate: are tls_cert and tls_key swapped?"
        } else {
            "holds no certificate"
        };
        return Err(Problem::new("tls_cert", file, problem, fix));
    }
    Ok(chain)
}

/// The private key of `tls_key`. No message says anything about the key's bytes.
fn read_key(file: &Path) -> Result<PrivateKeyDer<'static>, Problem> {
    let pem = read(file, "tls_key")?;
    let fix = "write the key as unencrypted PEM: `BEGIN PRIVATE KEY` (PKCS#8), `BEGIN RSA \
               PRIVATE KEY` (PKCS#1) or `BEGIN EC PRIVATE KEY` (SEC1)";
    match PrivateKeyDer::from_pem_slice(&pem) {
        Ok(key) => Ok(key),
        Err(pem::Error::NoItemsFound) => {
            let problem = if contains(&pem, b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
                "the private key is encrypted, and corsair has no passphrase: decrypt it (`openssl \
                 pkey -in KEY -out KEY.pem`) and protect the file by its permissions"
            } else if CertificateDer::from_pem_slice(&pem).is_ok() {
                "holds certificates but no private key: are tls_cert and tls_key swapped?"
            } else {
                "holds no private key"
            };
            Err(Problem::new("tls_key", file, problem, fix))
        }
        Err(_) => Err(Problem::new(
            "tls_key",
            file,
            "is not valid PEM (a section is malformed)",
            fix,
        )),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The serial number of a DER certificate, as colon-separated hex (`None` when it cannot be
/// found: the certificate is then refused by the key check anyway).
fn serial_number(certificate: &[u8]) -> Option<String> {
    const SEQUENCE: u8 = 0x30;
    const VERSION: u8 = 0xa0;
    const INTEGER: u8 = 0x02;
    let (certificate, _) = der_element(certificate, SEQUENCE)?;
    let (tbs, _) = der_element(certificate, SEQUENCE)?;
    let tbs = match der_element(tbs, VERSION) {
        Some((_, after)) => after,
        None => tbs,
    };
    let (serial, _) = der_element(tbs, INTEGER)?;
    let hex: Vec<String> = serial.iter().map(|b| format!("{b:02x}")).collect();
    Some(hex.join(":"))
}

/// The contents of the DER element with `tag` at the start of `input`, and what follows it.
fn der_element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first != tag {
        return None;
    }
    let (&short, rest) = rest.split_first()?;
    let (length, rest) = if short < 0x80 {
        (usize::from(short), rest)
    } else {
        let octets = usize::from(short & 0x7f);
        if octets == 0 || octets > 4 || rest.len() < octets {
            return None;
        }
        let (length, rest) = rest.split_at(octets);
        let length = length
            .iter()
            .fold(0usize, |sum, &b| (sum << 8) | usize::from(b));
        (length, rest)
    };
    (rest.len() >= length).then(|| rest.split_at(length))
}

/// The pair that `loaded` names (`None` without TLS), read, checked and vetted in place of
/// `running` (`None` at start): what it would break joins `loaded`'s warnings, or, with
/// `tls_strict`, is the error that refuses it. The error names the key, where it was set, the
/// file and the problem.
pub(crate) fn load_identity(
    loaded: &mut Loaded,
    running: Option<&Identity>,
) -> Result<Option<Identity>, settings::Problems> {
    let Some((cert, key)) = loaded.server.tls_files() else {
        return Ok(None);
    };
    let identity = Identity::load(cert, key).map_err(|problem| {
        let source = settings::server_source(&loaded.server_sources, problem.key);
        vec![Diagnostic::error(
            "tls-file-invalid",
            format!("server.{}", problem.key),
            source,
            Some(problem.file.display().to_string()),
            problem.message,
            problem.fix,
        )]
    })?;
    let source = settings::server_source(&loaded.server_sources, "tls_cert");
    let review = vet(
        &identity,
        running,
        loaded.server.tls_strict,
        (cert, &source),
    );
    if review.iter().any(Diagnostic::is_error) {
        return Err(review);
    }
    loaded.warnings.extend(review);
    Ok(Some(identity))
}

/// The concerns about serving `identity` now in place of `running` (`None` at start), as
/// problems of `tls_cert` set at `source`: warnings, or errors when `strict` (`tls_strict`)
/// refuses such a certificate. Empty when it breaks nothing.
pub(crate) fn vet(
    identity: &Identity,
    running: Option<&Identity>,
    strict: bool,
    (file, source): (&Path, &Source),
) -> Vec<Diagnostic> {
    let concerns = identity.concerns(running, SystemTime::now());
    concerns
        .iter()
        .map(|concern| {
            let message = format!(
                "the certificate ({}) would be served, and {concern}",
                identity.describe()
            );
            let fix = "put the renewed certificate chain for every name clients use at tls_cert \
                       (and its key at tls_key), then reload";
            let id = match concern {
                Concern::Expired { .. } | Concern::NotYetValid { .. } => {
                    "tls-certificate-not-valid-now"
                }
                Concern::DropsNames { .. } => "tls-certificate-drops-names",
            };
            let value = file.display().to_string();
            if strict {
                Diagnostic::error(
                    id,
                    "server.tls_cert",
                    source.clone(),
                    Some(value),
                    message,
                    fix,
                )
            } else {
                Diagnostic::warning(
                    id,
                    "server.tls_cert",
                    source.clone(),
                    Some(value),
                    format!("{message} (served anyway: tls_strict = true refuses it)"),
                    fix,
                )
            }
        })
        .collect()
}

/// The certificate of every new handshake: the one last swapped in.
struct Current(ArcSwap<Identity>);

impl fmt::Debug for Current {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Current").field(&*self.0.load()).finish()
    }
}

impl ResolvesServerCert for Current {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0.load().certified))
    }
}

/// How many sessions clients may resume (rustls's own default).
const RESUMABLE_SESSIONS: usize = 256;

/// The sessions clients may resume. A resumed session keeps the certificate it was made with,
/// so a new certificate empties the store, and stores nothing for as long as a handshake that
/// started with the old certificate may still be running (the handshake deadline): every
/// session stored after that was made with the new certificate.
struct Sessions {
    store: ArcSwap<ServerSessionMemoryCache>,
    /// Until when nothing is stored (since the last [`Sessions::forget`]).
    refused_until: Mutex<Option<std::time::Instant>>,
    /// The longest a handshake may take.
    handshake_timeout: Duration,
}

impl Sessions {
    fn new(handshake_timeout: Duration) -> Sessions {
        Sessions {
            store: ArcSwap::new(ServerSessionMemoryCache::new(RESUMABLE_SESSIONS)),
            refused_until: Mutex::new(None),
            handshake_timeout,
        }
    }

    /// Forgets every session, and stores none until the handshakes running now have ended.
    fn forget(&self) {
        let until = std::time::Instant::now().checked_add(self.handshake_timeout);
        *self
            .refused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = until;
        self.store
            .store(ServerSessionMemoryCache::new(RESUMABLE_SESSIONS));
    }

    /// Whether a session made now may be stored.
    fn storing(&self) -> bool {
        let refused_until = *self
            .refused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        refused_until.is_none_or(|until| std::time::Instant::now() >= until)
    }
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("storing", &self.storing())
            .finish_non_exhaustive()
    }
}

impl StoresServerSessions for Sessions {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        self.storing() && self.store.load().put(key, value)
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.store.load().get(key)
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.store.load().take(key)
    }

    fn can_cache(&self) -> bool {
        self.storing() && self.store.load().can_cache()
    }
}

/// The TLS side of the listener: one rustls configuration for the process, its certificate
/// replaceable.
pub(crate) struct Tls {
    current: Arc<Current>,
    sessions: Arc<Sessions>,
    config: Arc<ServerConfig>,
}

impl Tls {
    /// The configuration serving `identity`, for handshakes that take at most
    /// `handshake_timeout` ([`accept`]'s deadline); the error says why rustls refused it.
    pub(crate) fn new(identity: Identity, handshake_timeout: Duration) -> Result<Tls, String> {
        let current = Arc::new(Current(ArcSwap::from_pointee(identity)));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|error| format!("cannot set up TLS: {error}"))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(&current) as Arc<dyn ResolvesServerCert>);
        // The server's preference: HTTP/2 when the client offers it.
        config.alpn_protocols = vec![H2.to_vec(), HTTP1.to_vec()];
        let sessions = Arc::new(Sessions::new(handshake_timeout));
        config.session_storage = Arc::clone(&sessions) as Arc<dyn StoresServerSessions>;
        Ok(Tls {
            current,
            sessions,
            config: Arc::new(config),
        })
    }

    /// An acceptor for a worker's connections.
    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(Arc::clone(&self.config))
    }

    /// New handshakes get `identity`, and no session made before can be resumed; open
    /// connections keep theirs.
    pub(crate) fn replace(&self, identity: Identity) {
        self.current.0.store(Arc::new(identity));
        self.sessions.forget();
    }

    /// The pair new handshakes get.
    pub(crate) fn current(&self) -> Arc<Identity> {
        self.current.0.load_full()
    }
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("current", &*self.current)
            .finish_non_exhaustive()
    }
}

/// A client connection after its handshake.
pub(crate) struct Accepted {
    /// The encrypted stream.
    pub stream: TlsStream<TcpStream>,
    /// Whether the client chose HTTP/2 (ALPN `h2`); else HTTP/1.1.
    pub http2: bool,
}

/// Completes the handshake of the client at `peer`, or gives up after `timeout` (the
/// connection is then dropped, as it is when the handshake fails).
pub(crate) async fn accept(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    timeout: Duration,
) -> Option<Accepted> {
    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => {
            let http2 = stream.get_ref().1.alpn_protocol() == Some(H2);
            Some(Accepted { stream, http2 })
        }
        Ok(Err(error)) => {
            tracing::debug!(%peer, %error, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, ?timeout, "TLS handshake not completed in time: dropped");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("corsair-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A self-signed certificate for `localhost` and its key, as PEM.
    fn pair() -> (String, String, rcgen::KeyPair) {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.serialize_pem(), key)
    }

    /// The SEC1 `ECPrivateKey` inside a PKCS#8 key (its private-key OCTET STRING).
    fn sec1_of(pkcs8: &[u8]) -> Vec<u8> {
        let (info, _) = der_element(pkcs8, 0x30).unwrap();
        let (_, rest) = der_element(info, 0x02).unwrap();
        let (_, rest) = der_element(rest, 0x30).unwrap();
        der_element(rest, 0x04).unwrap().0.to_vec()
    }

    /// PEM by hand (RFC 7468): base64 lines of 64 characters.
    fn pem_rfc7468(label: &str, der: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut encoded = String::new();
        for chunk in der.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    encoded.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    encoded.push('=');
                }
            }
        }
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(64)
            .map(|l| std::str::from_utf8(l).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn pkcs8_sec1_and_pkcs1_keys_are_read() {
        let dir = temp_dir("formats");
        let (cert, key, pair) = pair();
        let cert_file = write(&dir, "cert.pem", cert.as_bytes());
        let pkcs8 = write(&dir, "pkcs8.pem", key.as_bytes());
        let identity = Identity::load(&cert_file, &pkcs8).unwrap();
        assert!(
            identity.describe().contains("chain of 1 certificate"),
            "{identity:?}"
        );
        let sec1 = pem_rfc7468("EC PRIVATE KEY", &sec1_of(&pair.serialize_der()));
        let sec1 = write(&dir, "sec1.pem", sec1.as_bytes());
        Identity::load(&cert_file, &sec1).unwrap();

        // RSA: a fixed test key (ring cannot make one), in PKCS#1 and in PKCS#8.
        let rsa_pkcs8 = include_str!("../../../tests/data/rsa-2048.pkcs8.pem");
        let rsa = rcgen::KeyPair::from_pem(rsa_pkcs8).unwrap();
        let rsa_cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&rsa)
            .unwrap();
        let rsa_cert = write(&dir, "rsa-cert.pem", rsa_cert.pem().as_bytes());
        let pkcs1 = write(
            &dir,
            "pkcs1.pem",
            include_bytes!("../../../tests/data/rsa-2048.pkcs1.pem"),
        );
        Identity::load(&rsa_cert, &pkcs1).unwrap();
        // The RSA key is not the ECDSA certificate's.
        let mismatch = Identity::load(&cert_file, &pkcs1).unwrap_err();
        assert_eq!(mismatch.key, "tls_key");
    }

    #[test]
    fn every_problem_names_its_file_and_never_shows_the_key() {
        let dir = temp_dir("problems");
        let (cert, key, _) = pair();
        let (_, other_key, _) = pair();
        let cert_file = write(&dir, "cert.pem", cert.as_bytes());
        let key_file = write(&dir, "key.pem", key.as_bytes());
        let other = write(&dir, "other.pem", other_key.as_bytes());
        let encrypted = write(
            &dir,
            "encrypted.pem",
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
        );
        let garbage = write(&dir, "garbage.pem", b"-----BEGIN PRIVATE KEY-----\n!!!!\n");
        let empty = write(&dir, "empty.pem", b"");
        let missing = dir.join("missing.pem");
        let table: [(&Path, &Path, &str, &Path, &str); 8] = [
            (
                &cert_file,
                &other,
                "tls_key",
                &other,
                "does not belong to the certificate",
            ),
            (
                &key_file,
                &key_file,
                "tls_cert",
                &key_file,
                "are tls_cert and tls_key swapped?",
            ),
            (
                &cert_file,
                &cert_file,
                "tls_key",
                &cert_file,
                "are tls_cert and tls_key swapped?",
            ),
            (
                &cert_file,
                &encrypted,
                "tls_key",
                &encrypted,
                "is encrypted",
            ),
            (&cert_file, &garbage, "tls_key", &garbage, "not valid PEM"),
            (
                &empty,
                &key_file,
                "tls_cert",
                &empty,
                "holds no certificate",
            ),
            (
                &cert_file,
                &empty,
                "tls_key",
                &empty,
                "holds no private key",
            ),
            (&missing, &key_file, "tls_cert", &missing, "cannot be read"),
        ];
        let secret = key.lines().nth(1).unwrap();
        for (cert, key, setting, file, problem) in table {
            let error = Identity::load(cert, key).unwrap_err();
            assert_eq!(error.key, setting, "{error}");
            assert_eq!(error.file, file, "{error}");
            assert!(
                error.message.starts_with(&file.display().to_string()),
                "{error}"
            );
            assert!(error.message.contains(problem), "{error}");
            assert!(!error.to_string().contains(secret), "{error}");
            assert!(!format!("{error:?}").contains(secret));
        }
        let identity = Identity::load(&cert_file, &key_file).unwrap();
        let shown = format!("{identity:?}");
        let shown = format!(
            "{shown} {:?}",
            Tls::new(identity, Duration::from_secs(10)).unwrap()
        );
        assert!(shown.contains("serial"), "{shown}");
        assert!(!shown.contains(secret), "{shown}");
    }

    #[test]
    fn a_new_certificate_forgets_the_sessions_and_stores_none_while_old_handshakes_run() {
        let sessions = Sessions::new(Duration::from_millis(200));
        assert!(sessions.put(b"a".to_vec(), b"1".to_vec()));
        assert_eq!(sessions.get(b"a").as_deref(), Some(&b"1"[..]));
        sessions.forget();
        assert_eq!(sessions.get(b"a"), None, "forgotten");
        assert!(!sessions.can_cache());
        assert!(
            !sessions.put(b"b".to_vec(), b"2".to_vec()),
            "maybe the old certificate's"
        );
        assert_eq!(sessions.take(b"b"), None);
        std::thread::sleep(Duration::from_millis(250));
        assert!(sessions.can_cache());
        assert!(sessions.put(b"c".to_vec(), b"3".to_vec()));
        assert_eq!(sessions.take(b"c").as_deref(), Some(&b"3"[..]));
    }

    #[test]
    fn the_serial_number_is_read_from_the_certificate() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x0a, 0x1b, 0x2c]));
        let cert = params.self_signed(&key).unwrap();
        assert_eq!(serial_number(cert.der()).as_deref(), Some("0a:1b:2c"));
        assert_eq!(serial_number(&cert.der()[..10]), None);
        assert_eq!(serial_number(b""), None);
        assert_eq!(serial_number(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
    }
}
