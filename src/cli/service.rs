//! `smdr-monitor service install|uninstall|start|stop`: the collector as a Windows service,
//! reading `%ProgramData%\SMDR Monitor\sites.toml` and writing its raw day logs under
//! `%ProgramData%\SMDR Monitor\logs`. On Linux the .deb's systemd unit does this job.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Register the collector as a service that starts with Windows (as administrator).
    Install {
        /// Also serve /status and /metrics here, e.g. 127.0.0.1:9750.
        #[arg(long = "status", value_name = "ADDRESS:PORT")]
        status_address: Option<String>,
    },
    /// Stop the service and remove it (the sites file and logs stay).
    Uninstall,
    /// Start the service.
    Start,
    /// Stop the service.
    Stop,
    /// What the service manager runs: the collector, until the service is stopped.
    #[command(hide = true)]
    Run {
        #[arg(long = "status", value_name = "ADDRESS:PORT")]
        status_address: Option<String>,
    },
}

#[cfg(not(windows))]
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let _ = args.action;
    anyhow::bail!(
        "`service` registers the collector as a Windows service, and this is not Windows: on Debian or Ubuntu install the .deb and enable smdr-monitor-collect.service with systemctl (README: \"Running unattended\")"
    )
}

#[cfg(windows)]
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::Install { status_address } => win::install(status_address),
        Action::Uninstall => win::uninstall(),
        Action::Start => win::start(),
        Action::Stop => win::stop(),
        Action::Run { status_address } => win::run(status_address),
    }
}

#[cfg(windows)]
mod win {
    use std::ffi::{OsStr, OsString};
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::sync::OnceLock;
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use anyhow::Context;
    use clap::Parser;
    use windows_service::service::{
        ServiceAccess, ServiceAction, ServiceActionType, ServiceControl, ServiceControlAccept,
        ServiceErrorControl, ServiceExitCode, ServiceFailureActions, ServiceFailureResetPeriod,
        ServiceInfo, ServiceStartType, ServiceState, ServiceStatus, ServiceType,
    };
    use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
    use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};
    use windows_service::{define_windows_service, service_dispatcher};

    use crate::cli::collect;
    use crate::cli::signals::Control;

    const NAME: &str = "smdr-monitor";
    const DISPLAY_NAME: &str = "SMDR Monitor collector";
    const KIND: ServiceType = ServiceType::OWN_PROCESS;

    /// `%ProgramData%\SMDR Monitor`: the service's sites.toml and logs.
    fn folder() -> PathBuf {
        std::env::var_os("ProgramData")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"))
            .join("SMDR Monitor")
    }

    fn manager(access: ServiceManagerAccess) -> anyhow::Result<ServiceManager> {
        ServiceManager::local_computer(None::<&str>, access).context(
            "cannot reach the Windows service manager (run this in a terminal opened as administrator)",
        )
    }

    pub fn install(status: Option<String>) -> anyhow::Result<ExitCode> {
        let dir = folder();
        std::fs::create_dir_all(dir.join("logs"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut launch: Vec<OsString> = vec!["service".into(), "run".into()];
        if let Some(s) = &status {
            launch.extend(["--status".into(), s.into()]);
        }
        let info = ServiceInfo {
            name: NAME.into(),
            display_name: DISPLAY_NAME.into(),
            service_type: KIND,
            start_type: ServiceStartType::AutoStart,
            error_control: ServiceErrorControl::Normal,
            executable_path: std::env::current_exe()
                .context("cannot tell where this program is")?,
            launch_arguments: launch,
            dependencies: vec![],
            account_name: None, // LocalSystem
            account_password: None,
        };
        let manager =
            manager(ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE)?;
        let service = manager
            .create_service(&info, ServiceAccess::CHANGE_CONFIG | ServiceAccess::START)
            .context("cannot register the service (is it installed already?)")?;
        service
            .set_description(format!(
                "Collects Mitel SMDR call records from the sites in {}; raw day logs in {}.",
                dir.join("sites.toml").display(),
                dir.join("logs").display()
            ))
            .context("cannot describe the service")?;
        // Restarted after a failure, as systemd's Restart=on-failure does on Linux.
        service
            .update_failure_actions(ServiceFailureActions {
                reset_period: ServiceFailureResetPeriod::After(Duration::from_secs(24 * 3600)),
                reboot_msg: None,
                command: None,
                actions: Some(vec![
                    ServiceAction {
                        action_type: ServiceActionType::Restart,
                        delay: Duration::from_secs(10),
                    };
                    3
                ]),
            })
            .context("cannot set the service to restart after a failure")?;
        service
            .set_failure_actions_on_non_crash_failures(true)
            .context("cannot set the service to restart after a failure")?;
        println!(
            "installed the service {NAME:?} ({DISPLAY_NAME}), starting with Windows.\nSites: {} (write it, then: smdr-monitor service start)\nRaw day logs: {}\nAfter editing the sites: sc control {NAME} paramchange",
            dir.join("sites.toml").display(),
            dir.join("logs").display()
        );
        Ok(ExitCode::SUCCESS)
    }

    pub fn uninstall() -> anyhow::Result<ExitCode> {
        let manager = manager(ServiceManagerAccess::CONNECT)?;
        let access = ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE;
        let service = manager
            .open_service(NAME, access)
            .context("the service is not installed")?;
        if service.query_status()?.current_state != ServiceState::Stopped {
            let _ = service.stop();
        }
        service.delete().context("cannot remove the service")?;
        println!(
            "removed the service {NAME:?}; the sites and raw day logs stay in {}",
            folder().display()
        );
        Ok(ExitCode::SUCCESS)
    }

    pub fn start() -> anyhow::Result<ExitCode> {
        let manager = manager(ServiceManagerAccess::CONNECT)?;
        let service = manager
            .open_service(NAME, ServiceAccess::START)
            .context("the service is not installed (smdr-monitor service install)")?;
        service
            .start::<&OsStr>(&[])
            .context("cannot start the service")?;
        println!("started the service {NAME:?}");
        Ok(ExitCode::SUCCESS)
    }

    pub fn stop() -> anyhow::Result<ExitCode> {
        let manager = manager(ServiceManagerAccess::CONNECT)?;
        let service = manager
            .open_service(NAME, ServiceAccess::STOP | ServiceAccess::QUERY_STATUS)
            .context("the service is not installed")?;
        service.stop().context("cannot stop the service")?;
        let until = Instant::now() + Duration::from_secs(30);
        while service.query_status()?.current_state != ServiceState::Stopped
            && Instant::now() < until
        {
            std::thread::sleep(Duration::from_millis(200));
        }
        println!("stopped the service {NAME:?}");
        Ok(ExitCode::SUCCESS)
    }

    /// The `--status` the service was installed with, for the service's main function.
    static STATUS: OnceLock<Option<String>> = OnceLock::new();

    pub fn run(status: Option<String>) -> anyhow::Result<ExitCode> {
        let _ = STATUS.set(status);
        service_dispatcher::start(NAME, ffi_service_main).context(
            "`service run` is what the Windows service manager starts: use `smdr-monitor service start`",
        )?;
        Ok(ExitCode::SUCCESS)
    }

    define_windows_service!(ffi_service_main, service_main);

    fn service_main(_arguments: Vec<OsString>) {
        if let Err(e) = run_service() {
            tracing::error!("the SMDR Monitor service failed: {e:#}");
        }
    }

    /// `collect`'s own arguments, as the service runs it.
    #[derive(Parser)]
    struct CollectLine {
        #[command(flatten)]
        args: collect::Args,
    }

    fn run_service() -> anyhow::Result<()> {
        let control = Control::default();
        let flags = control.clone();
        let handler = move |event| match event {
            ServiceControl::Stop | ServiceControl::Shutdown => {
                flags.stop.store(true, Ordering::SeqCst);
                ServiceControlHandlerResult::NoError
            }
            // `sc control smdr-monitor paramchange`: re-read the sites, as SIGHUP does on Linux.
            ServiceControl::ParamChange => {
                flags.reload.fetch_add(1, Ordering::SeqCst);
                ServiceControlHandlerResult::NoError
            }
            ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
            _ => ServiceControlHandlerResult::NotImplemented,
        };
        let handle = service_control_handler::register(NAME, handler)?;
        let status = |state, code| ServiceStatus {
            service_type: KIND,
            current_state: state,
            controls_accepted: if state == ServiceState::Running {
                ServiceControlAccept::STOP
                    | ServiceControlAccept::SHUTDOWN
                    | ServiceControlAccept::PARAM_CHANGE
            } else {
                ServiceControlAccept::empty()
            },
            exit_code: ServiceExitCode::Win32(code),
            checkpoint: 0,
            wait_hint: Duration::default(),
            process_id: None,
        };
        handle.set_service_status(status(ServiceState::Running, 0))?;
        let dir = folder();
        let mut line: Vec<OsString> = vec![
            "collect".into(),
            "--config".into(),
            dir.join("sites.toml").into(),
            "--log-dir".into(),
            dir.join("logs").into(),
        ];
        if let Some(Some(s)) = STATUS.get() {
            line.extend(["--status".into(), s.into()]);
        }
        let result = CollectLine::try_parse_from(line)
            .map_err(anyhow::Error::from)
            .and_then(|l| collect::run_with(l.args, control));
        // Any failure is an exit code the service manager records (and restarts after).
        let code = match &result {
            Ok(c) if *c == ExitCode::SUCCESS => 0,
            _ => 1,
        };
        handle.set_service_status(status(ServiceState::Stopped, code))?;
        result.map(|_| ())
    }
}
