//! HTTPS for the station (docs/station.md, "HTTPS and the phones' GPS").
//!
//! A phone's browser shares its position only with a page in a secure context: `https://`, or
//! the phone itself. On the station's network the pages come from `http://<station>`, so the
//! inspector's app and the patrol track get no GPS. The station therefore makes its own small
//! certificate authority once, kept in a folder beside its store, and at every start a server
//! certificate signed by it that names every address and name the station answers on. A phone
//! installs the authority's certificate once (the `/ca/` page, reached by a QR code on the
//! desktop) and then opens the pages over `https://` on the same port.
//!
//! The authority's key never leaves the folder (created readable by its owner only). Losing it
//! means every phone installs a new certificate, so a folder holding a certificate without its
//! key is refused, never silently replaced.

use chrono::Datelike as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls;

/// The authority's certificate (PEM) in the folder.
pub const CA_CERT_FILE: &str = "station-ca.pem";
/// The authority's private key (PKCS#8 PEM) in the folder, readable by its owner only.
pub const CA_KEY_FILE: &str = "station-ca-key.pem";

/// How long the authority lasts, years (a phone keeps it installed that long).
const CA_YEARS: i32 = 10;
/// How long a server certificate lasts, days: within the 398 days browsers accept; a new one
/// is made at every start anyway.
const SERVER_DAYS: u64 = 397;

/// Why the station's certificates could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not the station's certificate authority: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(
        "{cert} is there but its key {key} is not: the phones that installed it need a new \
         one; remove {cert} to make a new authority"
    )]
    KeyMissing { cert: PathBuf, key: PathBuf },
    #[error("the name {name:?} cannot be put in a certificate: {reason}")]
    Name { name: String, reason: String },
    #[error("cannot make the station's certificate: {0}")]
    Make(String),
}

/// The station's TLS: its authority (what phones install) and the server configuration.
pub struct StationTls {
    ca_der: Vec<u8>,
    ca_pem: String,
    fingerprint: String,
    names: Vec<String>,
    config: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for StationTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StationTls")
            .field("fingerprint", &self.fingerprint)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl StationTls {
    /// Reads the authority in `dir` (making it, and `dir`, the first time) and makes a server
    /// certificate for this computer's names and addresses plus `extra_names` (DNS names or
    /// addresses the station is also reached by).
    pub fn open(dir: &Path, extra_names: &[String]) -> Result<Self, TlsError> {
        let (ca_pem, ca_key) = authority(dir)?;
        let cert_path = dir.join(CA_CERT_FILE);
        let ca_der = pem_der(&ca_pem).map_err(|reason| TlsError::Invalid {
            path: cert_path.clone(),
            reason,
        })?;
        let issuer = Issuer::from_ca_cert_der(&ca_der.clone().into(), &ca_key).map_err(|e| {
            TlsError::Invalid {
                path: cert_path.clone(),
                reason: e.to_string(),
            }
        })?;
        let names = server_names(extra_names)?;
        let (server_der, server_key) = server_certificate(&names, &issuer)?;
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.into());
        // ring, not aws-lc-rs: it builds without cmake or a C toolchain's extras. rustls marks
        // ring's provider deprecated for its lack of post-quantum key exchange, which a
        // station's own network does not need.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Make(e.to_string()))?
            .with_no_client_auth()
            // The authority goes with the server's certificate: harmless to a phone that has
            // it installed, and what a client checking by key pins.
            .with_single_cert(vec![server_der.into(), ca_der.clone().into()], key)
            .map_err(|e| TlsError::Make(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            fingerprint: fingerprint(&ca_der),
            ca_der,
            ca_pem,
            names,
            config: Arc::new(config),
        })
    }

    /// The authority's certificate, DER: what `/ca/griddesk-station-ca.crt` serves.
    pub fn ca_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// The authority's certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The authority certificate's SHA-256 fingerprint (`AB:CD:…`), to compare on the phone.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The names and addresses the server certificate is valid for.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }
}

/// Where the authority of the station serving the store `db` is kept: `DB.station-tls`
/// beside it (the desktop's 局域网服务 and `griddesk serve --https` both use it, so a
/// station's phones keep trusting it whichever started the service).
pub fn dir_beside(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".station-tls");
    db.with_file_name(name)
}

/// `AB:CD:…`: the SHA-256 of `der`, as phones and browsers show a certificate's fingerprint.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn pem_der(pem: &str) -> Result<Vec<u8>, String> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .map(|c| c.to_vec())
        .map_err(|e| format!("no PEM certificate ({e:?})"))
}

/// The authority's certificate (PEM) and key: read from `dir`, or made there.
fn authority(dir: &Path) -> Result<(String, KeyPair), TlsError> {
    let cert_path = dir.join(CA_CERT_FILE);
    let key_path = dir.join(CA_KEY_FILE);
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|source| TlsError::Read {
            path: p.to_path_buf(),
            source,
        })
    };
    if cert_path.exists() {
        if !key_path.exists() {
            return Err(TlsError::KeyMissing {
                cert: cert_path,
                key: key_path,
            });
        }
        let pem = read(&cert_path)?;
        let key = KeyPair::from_pem(&read(&key_path)?).map_err(|e| TlsError::Invalid {
            path: key_path.clone(),
            reason: e.to_string(),
        })?;
        // The key must be the certificate's: a mismatched pair would sign server
        // certificates no phone accepts.
        let der = pem_der(&pem).map_err(|reason| TlsError::Invalid {
            path: cert_path.clone(),
            reason,
        })?;
        if !contains(&der, key.public_key_raw()) {
            return Err(TlsError::Invalid {
                path: key_path,
                reason: format!("it is not the key of {}", cert_path.display()),
            });
        }
        return Ok((pem, key));
    }
    // No certificate: make the authority. A key left without its certificate (a start that
    // ended between the two writes) was never shown to a phone, so it is replaced.
    std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let key = KeyPair::generate().map_err(|e| TlsError::Make(e.to_string()))?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        format!("GridDesk 站点证书 {}", host_name().unwrap_or_default()).trim(),
    );
    dn.push(DnType::OrganizationName, "GridDesk");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let today = chrono::Utc::now().date_naive();
    let (from, until) = (
        today - chrono::Days::new(1),
        today
            .with_year(today.year() + CA_YEARS)
            .unwrap_or(today + chrono::Days::new(3650)),
    );
    params.not_before = rcgen::date_time_ymd(from.year(), from.month() as u8, from.day() as u8);
    params.not_after = rcgen::date_time_ymd(until.year(), until.month() as u8, until.day() as u8);
    let cert = params
        .self_signed(&key)
        .map_err(|e| TlsError::Make(e.to_string()))?;
    write_new(&key_path, key.serialize_pem().as_bytes(), true)?;
    write_new(&cert_path, cert.pem().as_bytes(), false)?;
    Ok((cert.pem(), key))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Writes `path` whole or not at all (a temporary file renamed over it), flushed to disk.
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), TlsError> {
    let err = |source| TlsError::Write {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = o.open(&tmp).map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(err)?;
    Ok(())
}

fn host_name() -> Option<String> {
    let h = gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_string();
    (!h.is_empty() && h != "localhost").then_some(h)
}

/// What the server certificate names: `localhost`, this computer's name (and `NAME.local`,
/// which phones resolve by mDNS), its addresses on every interface, loopback, and `extra`.
fn server_names(extra: &[String]) -> Result<Vec<String>, TlsError> {
    let mut names = vec!["localhost".to_string()];
    if let Some(h) = host_name() {
        if h.contains('.') {
            names.push(h);
        } else {
            names.push(format!("{h}.local"));
            names.push(h);
        }
    }
    let mut ips: Vec<IpAddr> = vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()];
    if let Ok(ifs) = if_addrs::get_if_addrs() {
        ips.extend(ifs.iter().map(|i| i.ip()));
    }
    for e in extra {
        let e = e.trim();
        if e.is_empty() {
            continue;
        }
        if let Ok(ip) = e.parse::<IpAddr>() {
            ips.push(ip);
        } else {
            // What a certificate may name: letters, digits, '-' and '.'.
            rcgen::string::Ia5String::try_from(e.to_string())
                .ok()
                .filter(|_| {
                    e.split('.').all(|l| {
                        !l.is_empty()
                            && l.len() <= 63
                            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
                })
                .ok_or_else(|| TlsError::Name {
                    name: e.to_string(),
                    reason: "a name has letters, digits, '-' and '.' only".into(),
                })?;
            names.push(e.to_ascii_lowercase());
        }
    }
    for ip in ips {
        let s = ip.to_string();
        if !names.contains(&s) {
            names.push(s);
        }
    }
    names.dedup();
    Ok(names)
}

/// A server certificate for `names`, signed by `issuer`: its DER and its key (PKCS#8 DER).
fn server_certificate(
    names: &[String],
    issuer: &Issuer<'_, &KeyPair>,
) -> Result<(Vec<u8>, Vec<u8>), TlsError> {
    let key = KeyPair::generate().map_err(|e| TlsError::Make(e.to_string()))?;
    let mut params = CertificateParams::default();
    params.subject_alt_names = names
        .iter()
        .map(|n| match n.parse::<IpAddr>() {
            Ok(ip) => Ok(SanType::IpAddress(ip)),
            Err(_) => n
                .clone()
                .try_into()
                .map(SanType::DnsName)
                .map_err(|e: rcgen::Error| TlsError::Name {
                    name: n.clone(),
                    reason: e.to_string(),
                }),
        })
        .collect::<Result<_, _>>()?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        format!(
            "GridDesk {}",
            names.get(1).map_or("localhost", String::as_str)
        ),
    );
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let today = chrono::Utc::now().date_naive();
    let (from, until) = (
        today - chrono::Days::new(1),
        today + chrono::Days::new(SERVER_DAYS),
    );
    params.not_before = rcgen::date_time_ymd(from.year(), from.month() as u8, from.day() as u8);
    params.not_after = rcgen::date_time_ymd(until.year(), until.month() as u8, until.day() as u8);
    let cert = params
        .signed_by(&key, issuer)
        .map_err(|e| TlsError::Make(e.to_string()))?;
    Ok((cert.der().to_vec(), key.serialize_der()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authority_is_made_once_and_read_back_the_same() {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path().join("tls");
        let a = StationTls::open(&d, &[]).expect("made");
        let b = StationTls::open(&d, &["station.test".into()]).expect("read back");
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.ca_der(), b.ca_der());
        assert!(b.names().iter().any(|n| n == "station.test"));
        assert!(b.names().iter().any(|n| n == "127.0.0.1"));
        assert_eq!(a.fingerprint().len(), 32 * 3 - 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.join(CA_KEY_FILE))
                .expect("key")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is its owner's only: {mode:o}");
        }
    }

    #[test]
    fn a_certificate_without_its_key_is_refused_and_kept() {
        let dir = tempfile::tempdir().expect("dir");
        StationTls::open(dir.path(), &[]).expect("made");
        let cert = std::fs::read(dir.path().join(CA_CERT_FILE)).expect("cert");
        std::fs::remove_file(dir.path().join(CA_KEY_FILE)).expect("rm");
        let e = StationTls::open(dir.path(), &[]).expect_err("refused");
        assert!(matches!(e, TlsError::KeyMissing { .. }), "{e}");
        assert!(e.to_string().contains(CA_KEY_FILE), "{e}");
        assert_eq!(
            std::fs::read(dir.path().join(CA_CERT_FILE)).expect("cert"),
            cert
        );
    }

    #[test]
    fn another_authoritys_key_or_a_damaged_file_is_refused_naming_the_file() {
        let one = tempfile::tempdir().expect("dir");
        let two = tempfile::tempdir().expect("dir");
        StationTls::open(one.path(), &[]).expect("made");
        StationTls::open(two.path(), &[]).expect("made");
        std::fs::copy(two.path().join(CA_KEY_FILE), one.path().join(CA_KEY_FILE)).expect("cp");
        let e = StationTls::open(one.path(), &[]).expect_err("refused");
        assert!(matches!(e, TlsError::Invalid { .. }), "{e}");
        assert!(e.to_string().contains(CA_KEY_FILE), "{e}");
        std::fs::write(two.path().join(CA_CERT_FILE), "not a certificate").expect("write");
        let e = StationTls::open(two.path(), &[]).expect_err("refused");
        assert!(e.to_string().contains(CA_CERT_FILE), "{e}");
    }

    #[test]
    fn a_name_no_certificate_can_hold_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let e = StationTls::open(dir.path(), &["站点 一".into()]).expect_err("refused");
        assert!(matches!(e, TlsError::Name { .. }), "{e}");
    }
}
