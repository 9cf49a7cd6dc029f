"""What a fix changes: configuration artefacts, their settings (current → target) and steps per OS family.

The rectification plan groups failed checks by the artefact a fix touches (one
sshd_config task with all its settings, one sysctl task), so an administrator
edits each file once. This module holds the code tables the plan is built and
rendered from: which artefact each check changes, how to read the current and
target value of each setting from a finding's ``observed`` and ``params``
(``report.artefact_values``), the steps per OS family (``target.os_family``:
``debian`` or ``rhel``), the feasibility notes for changes that can lock people
out, and the record to keep.

A plan holds only ids and values; every text here is filled in when the plan
is rendered, so the tables can be reworded without changing any report.
Everything is pure: a function of the finding and the OS family.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from checks.model import Text

FAMILIES = ("debian", "rhel")
FAMILY_LABELS: Dict[str, Text] = {
    "debian": Text(zh="Debian/Ubuntu/统信 UOS", en="Debian/Ubuntu/UOS"),
    "rhel": Text(zh="RHEL/CentOS/Rocky/openEuler/麒麟", en="RHEL/CentOS/Rocky/openEuler/Kylin"),
}
UNKNOWN_FAMILY = Text(
    zh="【未识别操作系统类型】以下命令按发行版分别列出，只执行与本机相符的一项。",
    en="[OS family unknown] The commands below are given per distribution family: run only the one that matches this host.",
)


@dataclass(frozen=True)
class Setting:
    """One value a task changes: what the assessment saw and what closes the check.

    ``ref`` is the check (or, for questionnaire tasks, the question) the value belongs to. ``name``,
    ``current`` and ``target`` are literal values (a keyword, a path, ``yes``), or ``#`` label ids
    (:data:`LABELS`) rendered in the reader's language; a name equal to ``ref`` stands for the check's
    requirement. ``current`` None: not set.
    """

    ref: str
    name: str
    current: Optional[str]
    target: str


@dataclass(frozen=True)
class FamilyStep:
    """A step whose command differs between the OS families."""

    debian: Text
    rhel: Text

    def get(self, family: str) -> Text:
        return self.rhel if family == "rhel" else self.debian


Step = Union[Text, FamilyStep]


@dataclass(frozen=True)
class Artefact:
    """A configuration file or setting group that one task changes.

    ``apply`` (for artefacts made of key = value settings) is the step that writes the task's target
    values; without it each check brings its own steps (``CHECK_STEPS``, else its remediation).
    """

    id: str
    label: Text
    objective: Text
    before: Tuple[Step, ...] = ()
    apply: Optional[Text] = None
    after: Tuple[Step, ...] = ()
    notes: Tuple[Step, ...] = ()
    record: Optional[Text] = None


def T(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


def F(debian: Tuple[str, str], rhel: Tuple[str, str]) -> FamilyStep:
    return FamilyStep(Text(zh=debian[0], en=debian[1]), Text(zh=rhel[0], en=rhel[1]))


# ------------------------------------------------------------------------------------------ feasibility notes

SSH_NOTE = T(
    "防止锁死：变更期间保持一个已登录的 root/sudo 会话不断开；sshd -t 校验通过并重新加载后，另开一个新会话确认能登录，再关闭旧会话。"
    "禁用口令登录前，先为每位管理员部署并验证公钥登录；要求第二认证因素前，先为每位管理员完成 OTP 绑定；限制 AllowGroups/来源地址前，确认运维账户和运维网络在允许范围内。",
    "Lock-out risk: keep one logged-in root/sudo session open while changing; after sshd -t passes and sshd reloads, confirm that a "
    "new login works in a second session before closing the old one. Deploy and test a public key for every administrator before "
    "turning password login off, enrol every administrator's OTP before requiring a second factor, and make sure the operators' "
    "accounts and network are inside AllowGroups/source restrictions before setting them.",
)
PAM_NOTE = T(
    "防止锁死：修改 PAM 前保持一个 root 会话不断开，修改后另开会话测试登录、su 与 sudo；pam_faillock 配置不当会锁定管理员，"
    "事先准备好控制台访问和解锁命令 faillock --user <用户> --reset。",
    "Lock-out risk: keep a root session open while changing PAM and test login, su and sudo in a second session afterwards; a wrong "
    "pam_faillock setup locks administrators out, so have console access and the unlock command (faillock --user <user> --reset) ready.",
)
FIREWALL_NOTE = F(
    (
        "防止锁死：启用默认拒绝前，先加入允许运维网络访问 SSH（22/tcp）的规则，并以可自动回滚的方式应用：先在后台安排 "
        "sleep 300 && nft flush ruleset，确认新会话可连接后再取消；确保有带外控制台可用。",
        "Lock-out risk: before turning on default deny, add a rule that lets the operations network reach SSH (22/tcp) and apply "
        "the ruleset so that it rolls back by itself: schedule 'sleep 300 && nft flush ruleset' in the background and cancel it "
        "once a new session connects; keep an out-of-band console at hand.",
    ),
    (
        "防止锁死：切换到 drop 区域前，先放行运维网络访问 SSH（22/tcp），并先用 firewall-cmd --timeout=300 试用规则，"
        "确认新会话可连接后再持久化；确保有带外控制台可用。",
        "Lock-out risk: before switching to the drop zone, allow the operations network to reach SSH (22/tcp) and try the rules "
        "with firewall-cmd --timeout=300 first, making them permanent once a new session connects; keep an out-of-band console at hand.",
    ),
)
SUDO_NOTE = T(
    "只用 visudo 编辑并校验（visudo -c），修改期间保持一个 root 会话；去掉 NOPASSWD 前确认自动化账户需要的具体命令，以免部署任务中断。",
    "Edit only with visudo and check with visudo -c, keeping a root session open; before removing NOPASSWD, list the exact commands "
    "automation accounts need so deployments keep working.",
)
ACCOUNT_NOTE = T(
    "删除或锁定账户前确认没有服务或人员依赖它；先为每位管理员建立个人账户并验证 sudo 可用，再收回共享或 UID 0 账户。",
    "Before deleting or locking an account, make sure no service or person depends on it; create each administrator's personal "
    "account and confirm sudo works before withdrawing shared or UID 0 accounts.",
)
MAC_NOTE = T(
    "SELinux/AppArmor 由关闭改为强制模式可能使服务或 SSH 登录被拒绝：先以 permissive/complain 模式运行并检查拒绝日志"
    "（ausearch -m AVC / journalctl），确认业务和登录正常后再切换为强制模式；SELinux 首次启用需 touch /.autorelabel 后重启。",
    "Switching SELinux/AppArmor from off to enforcing can deny services or SSH logins: run in permissive/complain mode first, "
    "read the denials (ausearch -m AVC / journalctl) and switch to enforcing once services and logins work; enabling SELinux the "
    "first time needs touch /.autorelabel and a reboot.",
)
UPGRADE_NOTE = T(
    "大版本升级需要维护窗口：先做完整备份并在副本上演练，准备回退方案；升级后复核 SSH 登录和业务服务。",
    "A release upgrade needs a maintenance window: take a full backup, rehearse on a copy and prepare a rollback; check SSH login "
    "and the business services afterwards.",
)
BOOT_NOTE = T(
    "设置 GRUB 口令时让默认启动项无需口令（--unrestricted），否则无人值守的重启会停在引导界面；口令交由口令保管流程保存。",
    "When setting a GRUB password keep the default entry bootable without it (--unrestricted), or an unattended reboot stops at "
    "the boot menu; keep the password in the password vault.",
)
SERVICE_NOTE = T(
    "停用或改绑服务前与应用负责人核对依赖（ss -lntup 列出监听端口），在维护窗口内操作。",
    "Check dependencies with the application owners before disabling or rebinding a service (ss -lntup lists the listeners); do it "
    "in a maintenance window.",
)
AUDIT_NOTE = T(
    "审计规则锁定（-e 2）后，修改规则必须重启：应在其他规则验证无误后最后加入。",
    "Once audit rules are locked (-e 2) changing them needs a reboot: add the lock last, after the other rules are verified.",
)

# ------------------------------------------------------------------------------------------ records to keep

BACKUP_RECORD = T(
    "备份作业日志（最近一次成功运行）与恢复测试记录", "Backup job log (the latest successful run) and a restore test record"
)
LOG_RECORD = T(
    "日志存储配置（logrotate 保留周期、日志服务器的保留策略）导出或截图",
    "Log storage configuration (logrotate retention, the log server's retention policy), exported or as a screenshot",
)
CHANGE_RECORD = T("变更记录（变更内容、时间、执行人）", "Change record (what changed, when, by whom)")

# ------------------------------------------------------------------------------------------ artefacts

RELOAD_SSH = F(
    ("重新加载：systemctl reload ssh", "Reload: systemctl reload ssh"),
    ("重新加载：systemctl reload sshd", "Reload: systemctl reload sshd"),
)

ARTEFACTS: Dict[str, Artefact] = {
    a.id: a
    for a in (
        Artefact(
            "sshd",
            T("SSH 服务端配置（/etc/ssh/sshd_config）", "SSH server configuration (/etc/ssh/sshd_config)"),
            T(
                "SSH 只接受经授权账户的强认证登录，不允许 root 直接登录，只使用强算法，配置文件与主机私钥仅 root 可读",
                "The SSH server accepts only strong logins by authorised accounts, no direct root login and only strong algorithms; "
                "its configuration and host keys are readable by root only",
            ),
            before=(
                T(
                    "备份配置：cp -a /etc/ssh/sshd_config /etc/ssh/sshd_config.bak",
                    "Back up: cp -a /etc/ssh/sshd_config /etc/ssh/sshd_config.bak",
                ),
            ),
            apply=T(
                "在 /etc/ssh/sshd_config 开头（或最先读取的 /etc/ssh/sshd_config.d/*.conf）写入下表目标值，并逐一检查 Match 块，删除与目标值相反的设置",
                "Write the target values below at the top of /etc/ssh/sshd_config (or in the first-read /etc/ssh/sshd_config.d/*.conf) "
                "and check every Match block, removing settings that undo them",
            ),
            after=(T("校验语法：sshd -t", "Check the syntax: sshd -t"), RELOAD_SSH),
            notes=(SSH_NOTE,),
        ),
        Artefact(
            "sysctl",
            T("内核参数（/etc/sysctl.d）", "Kernel parameters (/etc/sysctl.d)"),
            T(
                "内核运行参数达到加固值，并在重启后保持",
                "Kernel parameters are at their hardened values and stay so after a reboot",
            ),
            apply=T(
                "将下表目标值写入 /etc/sysctl.d/60-hardening.conf（每行 参数 = 值），并删除其他文件中与之冲突的行",
                "Write the target values below into /etc/sysctl.d/60-hardening.conf (one 'key = value' per line) and remove "
                "conflicting lines from other files",
            ),
            after=(
                T(
                    "加载并核对：sysctl --system，然后 sysctl <参数> 逐项确认",
                    "Load and confirm: sysctl --system, then sysctl <key> for each",
                ),
            ),
        ),
        Artefact(
            "modprobe",
            T("内核模块禁用清单（/etc/modprobe.d）", "Kernel module deny list (/etc/modprobe.d)"),
            T("不需要的内核模块无法加载", "Kernel modules that are not needed cannot be loaded"),
            apply=T(
                "对下表每个模块，在 /etc/modprobe.d/hardening.conf 中写入 install <模块> /bin/false 与 blacklist <模块>",
                "For each module below write 'install <module> /bin/false' and 'blacklist <module>' into /etc/modprobe.d/hardening.conf",
            ),
            after=(
                T(
                    "卸载已加载的模块：modprobe -r <模块>（仍在使用时安排重启）",
                    "Unload loaded modules: modprobe -r <module> (reboot if one is in use)",
                ),
                F(
                    ("更新 initramfs：update-initramfs -u", "Update the initramfs: update-initramfs -u"),
                    ("更新 initramfs：dracut -f", "Update the initramfs: dracut -f"),
                ),
            ),
        ),
        Artefact(
            "login_defs",
            T("口令期限与默认权限（/etc/login.defs）", "Password ageing and defaults (/etc/login.defs)"),
            T(
                "口令有最长、最短使用期限和到期提醒，以强哈希存放，新建文件默认权限不宽于 027",
                "Passwords have a maximum and minimum age and an expiry warning, are stored with a strong hash, and new files get a "
                "umask of 027 or stricter",
            ),
            before=(T("备份：cp -a /etc/login.defs /etc/login.defs.bak", "Back up: cp -a /etc/login.defs /etc/login.defs.bak"),),
            apply=T("在 /etc/login.defs 中按下表写入目标值", "Write the target values below into /etc/login.defs"),
        ),
        Artefact(
            "pam",
            T(
                "PAM 口令与登录失败策略（/etc/security/pwquality.conf、faillock.conf、/etc/pam.d）",
                "PAM password and failed-login policy (/etc/security/pwquality.conf, faillock.conf, /etc/pam.d)",
            ),
            T(
                "口令长度和复杂度达到要求，不能重复使用近期口令，多次登录失败后账户被锁定，su 仅限管理组",
                "Passwords meet the length and complexity rules and cannot reuse recent ones, repeated failed logins lock the "
                "account, and su is limited to the admin group",
            ),
            before=(
                F(
                    (
                        "安装口令质量模块：apt install libpam-pwquality",
                        "Install the password-quality module: apt install libpam-pwquality",
                    ),
                    ("确认当前 authselect 配置：authselect current", "Check the authselect profile in use: authselect current"),
                ),
            ),
            apply=T(
                "在 /etc/security/pwquality.conf 与 /etc/security/faillock.conf 中按下表写入目标值",
                "Write the target values below into /etc/security/pwquality.conf and /etc/security/faillock.conf",
            ),
            after=(T("另开会话测试登录、su 与 sudo", "Test login, su and sudo in a second session"),),
            notes=(PAM_NOTE,),
        ),
        Artefact(
            "accounts",
            T("系统账户（/etc/passwd、/etc/shadow、/etc/group）", "System accounts (/etc/passwd, /etc/shadow, /etc/group)"),
            T(
                "每个账户身份唯一、有口令保护，只有 root 拥有 UID 0，系统账户不能登录，管理员使用个人账户",
                "Every account has its own identity and a password, only root has UID 0, system accounts cannot log in, and "
                "administrators use personal accounts",
            ),
            before=(
                T(
                    "备份：cp -a /etc/passwd /etc/shadow /etc/group /etc/gshadow /root/",
                    "Back up: cp -a /etc/passwd /etc/shadow /etc/group /etc/gshadow /root/",
                ),
            ),
            after=(T("核对：pwck -r 与 grpck -r 无报错", "Check: pwck -r and grpck -r report nothing"),),
            notes=(ACCOUNT_NOTE,),
        ),
        Artefact(
            "user_files",
            T("用户环境与信任文件（/etc/profile、主目录）", "Shell environment and trust files (/etc/profile, home directories)"),
            T(
                "空闲会话自动退出，root 的 PATH 不含相对路径，主目录中没有 .rhosts/.netrc 等信任文件",
                "Idle shells time out, root's PATH has no relative entries, and no .rhosts/.netrc trust files are left in home directories",
            ),
        ),
        Artefact(
            "sudoers",
            T("sudo 授权（/etc/sudoers、/etc/sudoers.d）", "sudo rules (/etc/sudoers, /etc/sudoers.d)"),
            T(
                "sudo 需要鉴别，在伪终端中运行并记录到专用日志",
                "sudo requires authentication, runs in a pseudo-terminal and logs to its own file",
            ),
            apply=T(
                "用 visudo 按下表写入目标值（Defaults 行与授权规则）",
                "With visudo, write the target values below (Defaults lines and rules)",
            ),
            after=(T("校验：visudo -c", "Check: visudo -c"),),
            notes=(SUDO_NOTE,),
        ),
        Artefact(
            "auditd",
            T("审计服务（auditd、/etc/audit）", "Audit service (auditd, /etc/audit)"),
            T(
                "auditd 运行并加载规则，监控身份文件、特权命令和时间修改，日志写满时不丢弃记录，规则已锁定",
                "auditd runs with rules that watch identity files, privileged commands and time changes, keeps records when the log "
                "is full, and its rules are locked",
            ),
            before=(
                F(
                    ("安装：apt install auditd audispd-plugins", "Install: apt install auditd audispd-plugins"),
                    ("安装：dnf install audit", "Install: dnf install audit"),
                ),
            ),
            apply=T(
                "按下表在 /etc/audit/auditd.conf 与 /etc/audit/rules.d/*.rules 中写入目标值",
                "Write the target values below into /etc/audit/auditd.conf and /etc/audit/rules.d/*.rules",
            ),
            after=(
                T(
                    "加载规则：augenrules --load，并 systemctl enable auditd",
                    "Load the rules: augenrules --load, and systemctl enable auditd",
                ),
                T("核对：auditctl -s 与 auditctl -l", "Check: auditctl -s and auditctl -l"),
            ),
            notes=(AUDIT_NOTE,),
        ),
        Artefact(
            "file_perms",
            T("系统文件与目录权限", "System file and directory permissions"),
            T(
                "口令、分组、计划任务、引导和日志文件只有授权者可读写",
                "Password, group, cron, boot and log files are readable and writable only as required",
            ),
            apply=T(
                "对下表每个路径执行 chown（属主 root）与 chmod，设为目标权限；全局可写文件用 chmod o-w，并查明权限被放宽的原因",
                "For each path below run chown (owner root) and chmod to the target mode; remove world write with chmod o-w and find "
                "out how the mode was loosened",
            ),
        ),
        Artefact(
            "mounts",
            T("临时目录挂载选项（/etc/fstab）", "Temporary directory mount options (/etc/fstab)"),
            T("/tmp 与 /dev/shm 以 nodev、nosuid、noexec 挂载", "/tmp and /dev/shm are mounted nodev, nosuid, noexec"),  # noqa: S108 - text
            apply=T(
                "在 /etc/fstab 中按下表写入挂载项，例如 tmpfs /tmp tmpfs defaults,rw,nosuid,nodev,noexec,relatime,size=2G 0 0",
                "Write the mount entries below into /etc/fstab, e.g. tmpfs /tmp tmpfs defaults,rw,nosuid,nodev,noexec,relatime,size=2G 0 0",
            ),
            after=(
                T(
                    "重新挂载并核对：mount -o remount <挂载点>; findmnt <挂载点>",
                    "Remount and check: mount -o remount <mount point>; findmnt <mount point>",
                ),
            ),
        ),
        Artefact(
            "firewall",
            T("主机防火墙", "Host firewall"),
            T(
                "主机防火墙启用，IPv4 与 IPv6 入站默认拒绝，管理端口只对运维网络开放",
                "The host firewall is on, inbound IPv4 and IPv6 are denied by default, and admin ports are open only to the operations network",
            ),
            before=(
                F(
                    (
                        "安装并启用 nftables：apt install nftables; systemctl enable nftables，规则写在 /etc/nftables.conf（inet 表同时覆盖 IPv4 与 IPv6）",
                        "Install and enable nftables: apt install nftables; systemctl enable nftables; rules go in /etc/nftables.conf "
                        "(an inet table covers IPv4 and IPv6)",
                    ),
                    (
                        "启用 firewalld：systemctl enable --now firewalld，默认区域设为 drop：firewall-cmd --set-default-zone=drop",
                        "Enable firewalld: systemctl enable --now firewalld and make drop the default zone: firewall-cmd --set-default-zone=drop",
                    ),
                ),
            ),
            after=(
                F(
                    (
                        "应用并核对：nft -f /etc/nftables.conf; nft list ruleset",
                        "Apply and check: nft -f /etc/nftables.conf; nft list ruleset",
                    ),
                    (
                        "持久化并核对：firewall-cmd --runtime-to-permanent; firewall-cmd --list-all",
                        "Persist and check: firewall-cmd --runtime-to-permanent; firewall-cmd --list-all",
                    ),
                ),
            ),
            notes=(FIREWALL_NOTE,),
        ),
        Artefact(
            "services",
            T("网络服务与监听端口", "Network services and listening ports"),
            T(
                "只运行业务需要的网络服务，高危端口不对外监听，不使用明文远程管理协议",
                "Only the network services the business needs run, high-risk ports do not listen on external addresses, and no "
                "plaintext remote-administration protocol is used",
            ),
            after=(T("核对监听端口：ss -lntup", "Check the listeners: ss -lntup"),),
            notes=(SERVICE_NOTE,),
        ),
        Artefact(
            "service_accounts",
            T("服务运行账户（systemd 单元 User=）", "Service run-as accounts (systemd unit User=)"),
            T(
                "数据库、中间件和网络服务以专用非特权账户运行",
                "Databases, middleware and network services run under dedicated unprivileged accounts",
            ),
            after=(T("核对：ps -eo user,comm | grep -v '^root'", "Check: ps -eo user,comm"),),
            notes=(SERVICE_NOTE,),
        ),
        Artefact(
            "remote_tools",
            T("远程控制与内网穿透软件", "Remote-control and tunnelling software"),
            T(
                "主机上没有第三方远程控制或内网穿透软件，远程运维统一经堡垒机或 VPN",
                "No third-party remote-control or tunnelling software is on the host; remote administration goes through the bastion host or VPN",
            ),
        ),
        Artefact(
            "packages",
            T("软件包与安全更新", "Packages and security updates"),
            T(
                "已安装全部安全更新，自动安全更新已启用，关键软件包文件与包管理器记录一致",
                "All security updates are installed, automatic security updates are on, and key package files match the package manager's records",
            ),
            record=CHANGE_RECORD,
        ),
        Artefact(
            "os_release",
            T("操作系统版本", "Operating system release"),
            T("操作系统处于厂商安全支持期内", "The operating system is under vendor security support"),
            notes=(UPGRADE_NOTE,),
            record=CHANGE_RECORD,
        ),
        Artefact(
            "backup",
            T("数据备份作业", "Data backup jobs"),
            T(
                "重要数据至少每周（重要系统每天）备份到本机以外的备份服务器或对象存储，不上传互联网网盘",
                "Important data is backed up at least weekly (daily for important systems) to a backup server or object store off "
                "this host, never to an internet net-disk",
            ),
            record=BACKUP_RECORD,
        ),
        Artefact(
            "logging",
            T("日志转发与留存（rsyslog、journald、logrotate）", "Log forwarding and retention (rsyslog, journald, logrotate)"),
            T(
                "日志集中转发到日志服务器，重启后不丢失，安全日志至少保留六个月",
                "Logs are forwarded to a central log server, survive reboots, and security logs are kept for at least six months",
            ),
            record=LOG_RECORD,
        ),
        Artefact(
            "time_sync",
            T("时间同步（chrony）", "Time synchronisation (chrony)"),
            T("系统时间与可靠时间源同步", "The clock is synchronised with a reliable time source"),
        ),
        Artefact(
            "anti_malware",
            T("防恶意代码 / EDR", "Anti-malware / EDR"),
            T(
                "防恶意代码或 EDR 已部署运行，特征库保持更新",
                "Anti-malware or EDR is deployed and running, with current signatures",
            ),
        ),
        Artefact(
            "file_integrity",
            T("文件完整性监控（AIDE）", "File integrity monitoring (AIDE)"),
            T("文件完整性监控已建立基线并每日校验", "File integrity monitoring has a baseline and checks daily"),
        ),
        Artefact(
            "mac",
            T("强制访问控制（SELinux/AppArmor）", "Mandatory access control (SELinux/AppArmor)"),
            T("强制访问控制处于强制模式", "Mandatory access control is enforcing"),
            notes=(MAC_NOTE,),
        ),
        Artefact(
            "boot",
            T("引导安全（GRUB、安全启动）", "Boot security (GRUB, Secure Boot)"),
            T("引导程序有口令保护，UEFI 安全启动已开启", "The boot loader is password protected and UEFI Secure Boot is on"),
            notes=(BOOT_NOTE,),
        ),
        Artefact(
            "banner",
            T("登录提示信息（/etc/issue、/etc/issue.net）", "Login banners (/etc/issue, /etc/issue.net)"),
            T("登录前提示不暴露操作系统及版本", "Pre-login banners do not reveal the operating system or its version"),
        ),
        Artefact(
            "credentials",
            T("明文凭据（计划任务、脚本、服务配置）", "Cleartext credentials (cron jobs, scripts, service configuration)"),
            T(
                "计划任务、脚本和配置中不含明文口令或令牌，凭据存放在仅属主可读的文件或凭据库中",
                "No passwords or tokens are written out in jobs, scripts or configuration; credentials live in owner-only files or a vault",
            ),
        ),
        # Endpoints probed over the network: steps come from each check's remediation (they name the server software).
        Artefact(
            "tls",
            T("TLS 配置", "TLS configuration"),
            T("HTTPS 只使用安全的协议、算法和有效证书", "HTTPS uses only safe protocols, ciphers and a valid certificate"),
        ),
        Artefact(
            "http_headers",
            T("Web 服务器响应头与跳转", "Web server headers and redirects"),
            T(
                "Web 响应带有推荐的安全响应头，不泄露版本，HTTP 跳转到 HTTPS",
                "Web responses carry the recommended security headers, hide versions, and HTTP redirects to HTTPS",
            ),
        ),
        Artefact(
            "web_content",
            T("Web 根目录中的敏感文件", "Sensitive files in the web root"),
            T(
                "Web 服务不对外提供 .git、.env、备份和诊断页面",
                "The web server does not serve .git, .env, backups or diagnostic pages",
            ),
        ),
        Artefact(
            "exposed_ports",
            T("对外开放的端口（边界防火墙/安全组）", "Ports reachable from outside (boundary firewall / security group)"),
            T(
                "高危端口、明文管理协议和管理界面不能从外部访问",
                "High-risk ports, plaintext admin protocols and management interfaces are not reachable from outside",
            ),
        ),
        Artefact(
            "service_versions",
            T("对外服务的软件版本", "Software versions of exposed services"),
            T("对外服务只运行受支持的软件版本", "Exposed services run only supported software versions"),
            record=CHANGE_RECORD,
        ),
        Artefact(
            "mqtt",
            T("MQTT 代理配置", "MQTT broker configuration"),
            T(
                "MQTT 代理要求认证、限制主题并只走 TLS",
                "The MQTT broker requires authentication, restricts topics and speaks only TLS",
            ),
        ),
        Artefact(
            "backend_auth",
            T("后端服务认证（Redis、Elasticsearch、Kafka）", "Backend authentication (Redis, Elasticsearch, Kafka)"),
            T("后端服务只接受经过认证的连接", "Backend services accept only authenticated connections"),
        ),
        Artefact(
            "ota",
            T("OTA/固件分发", "OTA/firmware distribution"),
            T("固件只经 HTTPS 分发且不可列目录", "Firmware is served only over HTTPS and cannot be listed"),
        ),
        Artefact(
            "ics_devices",
            T("工业设备访问控制", "Industrial device access control"),
            T(
                "工业协议只对工程师站/SCADA 开放，不泄露设备信息",
                "Industrial protocols answer only the engineering station/SCADA and disclose no device details",
            ),
        ),
    )
}

# Check id (exact) or id prefix -> artefact. The longest matching key wins; a check matching none is its own task.
CHECK_ARTEFACT: Dict[str, str] = {
    "LNX-SSH-": "sshd",
    "LNX-KRN-": "sysctl",
    "LNX-KRN-011": "modprobe",
    "LNX-KRN-012": "modprobe",
    "LNX-KRN-013": "modprobe",
    "LNX-ICS-003": "modprobe",
    "LNX-PWD-": "pam",
    "LNX-PWD-001": "login_defs",
    "LNX-PWD-002": "login_defs",
    "LNX-PWD-003": "login_defs",
    "LNX-PWD-008": "login_defs",
    "LNX-ACC-009": "login_defs",
    "LNX-SUDO-004": "pam",
    "LNX-ACC-": "accounts",
    "LNX-SUDO-005": "accounts",
    "LNX-ACC-007": "user_files",
    "LNX-ACC-008": "user_files",
    "LNX-ACC-010": "user_files",
    "LNX-SUDO-": "sudoers",
    "LNX-AUD-": "auditd",
    "LNX-FS-": "file_perms",
    "LNX-FS-006": "mounts",
    "LNX-FS-007": "mounts",
    "LNX-FW-": "firewall",
    "LNX-ICS-001": "firewall",
    "LNX-NET-": "services",
    "LNX-SVC-": "services",
    "LNX-ICS-002": "services",
    "LNX-PRC-": "service_accounts",
    "LNX-RMT-": "remote_tools",
    "LNX-ICS-004": "remote_tools",
    "LNX-PKG-": "packages",
    "LNX-VUL-": "packages",
    "NET-VUL-": "packages",
    "LNX-ICS-005": "packages",
    "LNX-OS-": "os_release",
    "LNX-BAK-": "backup",
    "LNX-LOG-": "logging",
    "LNX-TIME-": "time_sync",
    "LNX-EDR-": "anti_malware",
    "LNX-EDR-003": "file_integrity",
    "LNX-MAC-": "mac",
    "LNX-BOOT-": "boot",
    "LNX-BNR-": "banner",
    "LNX-CRED-": "credentials",
    "TLS-": "tls",
    "WEB-": "http_headers",
    "WEB-EXP-": "web_content",
    "WEB-DIR-": "web_content",
    "NET-PRT-": "exposed_ports",
    "NET-PRT-003": "service_versions",
    "NET-MQTT-": "mqtt",
    "NET-TSP-": "backend_auth",
    "NET-TSP-004": "ota",
    "NET-TSP-005": "ota",
    "NET-ICS-": "ics_devices",
}


@functools.lru_cache(maxsize=2048)  # a pure function of a catalogue id, asked about every finding of every plan
def artefact_of(check_id: str) -> Optional[str]:
    """The artefact a fix of ``check_id`` changes (the longest matching table key), None if no table entry."""
    best: Optional[str] = None
    for key in CHECK_ARTEFACT:
        if (check_id == key or (key.endswith("-") and check_id.startswith(key))) and (best is None or len(key) > len(best)):
            best = key
    return CHECK_ARTEFACT[best] if best is not None else None


# ------------------------------------------------------------------------------------------ steps per check

# Checks whose fix needs its own commands (inside an artefact without an ``apply`` step, or beyond the values
# an ``apply`` step writes). Others inside an ``apply`` artefact need nothing more; the rest use their remediation,
# which for them names no OS family (tests hold the catalogue to that).
CHECK_STEPS: Dict[str, Tuple[Step, ...]] = {
    "LNX-SSH-016": (
        T(
            "收紧配置文件权限：chown root:root /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf && chmod 0600 /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf",
            "Tighten the configuration files: chown root:root /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf && chmod 0600 /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf",
        ),
    ),
    "LNX-SSH-017": (
        T(
            "收紧主机私钥权限：chown root:root /etc/ssh/ssh_host_*_key && chmod 0600 /etc/ssh/ssh_host_*_key；若私钥可能已被他人读取，重新生成主机密钥并通知用户更新指纹",
            "Tighten the host keys: chown root:root /etc/ssh/ssh_host_*_key && chmod 0600 /etc/ssh/ssh_host_*_key; if a key may have "
            "been read by others, regenerate the host keys and tell users the new fingerprints",
        ),
    ),
    "LNX-SSH-018": (
        T(
            "建立 SSH 登录组并加入管理员：groupadd sshusers; usermod -aG sshusers <管理员>，再设置 AllowGroups sshusers",
            "Create an SSH login group with the administrators in it: groupadd sshusers; usermod -aG sshusers <admin>; then set AllowGroups sshusers",
        ),
    ),
    "LNX-SSH-019": (
        F(
            (
                "安装 OTP 模块：apt install libpam-google-authenticator，在 /etc/pam.d/sshd 中加入 auth required pam_google_authenticator.so，每位管理员执行 google-authenticator 完成绑定（或接入 RADIUS/堡垒机的第二因素）",
                "Install an OTP module: apt install libpam-google-authenticator, add 'auth required pam_google_authenticator.so' to "
                "/etc/pam.d/sshd and have every administrator enrol with google-authenticator (or use the RADIUS/bastion second factor)",
            ),
            (
                "安装 OTP 模块：dnf install google-authenticator（EPEL）或 pam_radius，在 /etc/pam.d/sshd 中加入 auth required pam_google_authenticator.so，每位管理员完成绑定（或接入堡垒机的第二因素）",
                "Install an OTP module: dnf install google-authenticator (EPEL) or pam_radius, add 'auth required "
                "pam_google_authenticator.so' to /etc/pam.d/sshd and enrol every administrator (or use the bastion's second factor)",
            ),
        ),
    ),
    "LNX-FW-001": (
        T(
            "入站默认策略设为拒绝，只放行业务需要的端口和来自运维网络的管理端口",
            "Make the inbound default deny and allow only the ports the business needs, plus admin ports from the operations network",
        ),
    ),
    "LNX-FW-002": (
        F(
            (
                "在 inet 表中设置默认拒绝，使其同时作用于 IPv6（或 ip6tables -P INPUT DROP 并持久化）",
                "Set the default deny in an inet table so it covers IPv6 too (or ip6tables -P INPUT DROP, made persistent)",
            ),
            (
                "确认 IPv6 未被单独放行：firewalld 区域同时作用于 IPv4 与 IPv6（firewall-cmd --list-all）",
                "Make sure IPv6 is not let through separately: firewalld zones apply to IPv4 and IPv6 (firewall-cmd --list-all)",
            ),
        ),
    ),
    "LNX-PWD-001": (
        T("对已有账户生效：chage --maxdays <目标值> <用户>", "Apply to existing accounts: chage --maxdays <target> <user>"),
    ),
    "LNX-PWD-008": (
        F(
            (
                "在 /etc/pam.d/common-password 的 pam_unix.so 行使用 yescrypt（或 sha512）选项",
                "Give the pam_unix.so line of /etc/pam.d/common-password the yescrypt (or sha512) option",
            ),
            (
                "在 /etc/pam.d/system-auth 与 password-auth 的 pam_unix.so 行使用 sha512（或 yescrypt）选项（authselect 环境下修改其自定义配置）",
                "Give the pam_unix.so lines of /etc/pam.d/system-auth and password-auth the sha512 (or yescrypt) option (with "
                "authselect, in its custom profile)",
            ),
        ),
        T(
            "让使用弱哈希的账户下次登录时修改口令：chage -d 0 <用户>",
            "Make accounts with weak hashes change their password at next login: chage -d 0 <user>",
        ),
    ),
    "LNX-ACC-009": (
        T(
            "将 /etc/profile、/etc/bashrc（或 /etc/bash.bashrc）和 /etc/profile.d/*.sh 中的 umask 改为 027",
            "Change every umask in /etc/profile, /etc/bashrc (or /etc/bash.bashrc) and /etc/profile.d/*.sh to 027",
        ),
    ),
    "LNX-PWD-004": (
        F(
            (
                "确认 /etc/pam.d/common-password 中启用了 pam_pwquality.so（pam-auth-update）",
                "Make sure pam_pwquality.so is on in /etc/pam.d/common-password (pam-auth-update)",
            ),
            (
                "确认 /etc/pam.d/system-auth 与 password-auth 中启用了 pam_pwquality.so",
                "Make sure pam_pwquality.so is on in /etc/pam.d/system-auth and password-auth",
            ),
        ),
    ),
    "LNX-PWD-005": (T("删除 pam_unix.so 行上过小的 minlen= 参数", "Remove any small minlen= option from the pam_unix.so line"),),
    "LNX-PWD-007": (
        F(
            (
                "在 /etc/pam.d/common-auth 中加入 pam_faillock.so preauth 与 authfail 行，在 common-account 中加入 account required pam_faillock.so",
                "Add the pam_faillock.so preauth and authfail lines to /etc/pam.d/common-auth and 'account required pam_faillock.so' to common-account",
            ),
            (
                "启用 faillock：authselect enable-feature with-faillock",
                "Enable faillock: authselect enable-feature with-faillock",
            ),
        ),
    ),
    "LNX-PWD-009": (
        F(
            (
                "在 /etc/pam.d/common-password 的 pam_unix.so 之前加入 password required pam_pwhistory.so remember=5 use_authtok",
                "Add 'password required pam_pwhistory.so remember=5 use_authtok' before pam_unix.so in /etc/pam.d/common-password",
            ),
            (
                "启用口令历史：authselect enable-feature with-pwhistory，并在 /etc/security/pwhistory.conf 中设置 remember = 5",
                "Enable password history: authselect enable-feature with-pwhistory and set 'remember = 5' in /etc/security/pwhistory.conf",
            ),
        ),
    ),
    "LNX-SUDO-004": (
        F(
            (
                "在 /etc/pam.d/su 中启用 auth required pam_wheel.so use_uid group=sudo，只将管理员加入 sudo 组",
                "Enable 'auth required pam_wheel.so use_uid group=sudo' in /etc/pam.d/su and keep only administrators in the sudo group",
            ),
            (
                "在 /etc/pam.d/su 中启用 auth required pam_wheel.so use_uid，只将管理员加入 wheel 组",
                "Enable 'auth required pam_wheel.so use_uid' in /etc/pam.d/su and keep only administrators in the wheel group",
            ),
        ),
    ),
    "LNX-ACC-006": (
        F(
            (
                "为下表系统账户设置不可登录的 shell：usermod -s /usr/sbin/nologin <账户>",
                "Give each system account below a non-login shell: usermod -s /usr/sbin/nologin <account>",
            ),
            (
                "为下表系统账户设置不可登录的 shell：usermod -s /sbin/nologin <账户>",
                "Give each system account below a non-login shell: usermod -s /sbin/nologin <account>",
            ),
        ),
    ),
    "LNX-SUDO-005": (
        F(
            (
                "为每位管理员建立个人账户并加入 sudo 组：useradd -m <用户>; usermod -aG sudo <用户>",
                "Create a personal account per administrator in the sudo group: useradd -m <user>; usermod -aG sudo <user>",
            ),
            (
                "为每位管理员建立个人账户并加入 wheel 组：useradd -m <用户>; usermod -aG wheel <用户>",
                "Create a personal account per administrator in the wheel group: useradd -m <user>; usermod -aG wheel <user>",
            ),
        ),
    ),
    "LNX-SUDO-001": (
        T(
            "删除授予 ALL 的规则中的 NOPASSWD 与 Defaults !authenticate；自动化账户只授予所需的具体命令",
            "Remove NOPASSWD from rules that grant ALL and any 'Defaults !authenticate'; give automation accounts only the commands they need",
        ),
    ),
    "LNX-AUD-002": (
        T(
            "在 /etc/audit/rules.d/99-finalize.rules 最后一行写入 -e 2，加载后重启",
            "Put -e 2 as the last line of /etc/audit/rules.d/99-finalize.rules, load it and reboot",
        ),
    ),
    "LNX-AUD-003": (
        T(
            "在 /etc/audit/rules.d/50-identity.rules 中加入：-w /etc/passwd -p wa -k identity、-w /etc/shadow -p wa -k identity、-w /etc/group -p wa -k identity、"
            "-w /etc/sudoers -p wa -k scope，以及 time-change 规则（adjtimex、settimeofday、clock_settime）",
            "Add to /etc/audit/rules.d/50-identity.rules: -w /etc/passwd -p wa -k identity, -w /etc/shadow -p wa -k identity, "
            "-w /etc/group -p wa -k identity, -w /etc/sudoers -p wa -k scope, and time-change rules (adjtimex, settimeofday, clock_settime)",
        ),
    ),
    "LNX-FS-006": (
        F(
            (
                "或启用 tmp.mount：cp /usr/share/systemd/tmp.mount /etc/systemd/system/ && systemctl enable --now tmp.mount",
                "Or enable tmp.mount: cp /usr/share/systemd/tmp.mount /etc/systemd/system/ && systemctl enable --now tmp.mount",
            ),
            ("或启用 tmp.mount：systemctl enable --now tmp.mount", "Or enable tmp.mount: systemctl enable --now tmp.mount"),
        ),
    ),
    "LNX-FS-005": (
        F(
            (
                "update-grub 会重置 grub.cfg 权限：每次更新后重新 chmod 0600，或用 dpkg-statoverride 固定",
                "update-grub resets the mode of grub.cfg: chmod 0600 again after each update, or pin it with dpkg-statoverride",
            ),
            (
                "grub2-mkconfig 重新生成后复核 /boot/grub2/grub.cfg 权限",
                "Check the mode of /boot/grub2/grub.cfg again after grub2-mkconfig",
            ),
        ),
    ),
    "LNX-FW-003": (
        F(
            (
                "在 nftables 中只允许运维网络访问管理端口，例如 ip saddr 10.0.0.0/8 tcp dport 22 accept",
                "In nftables allow admin ports only from the operations network, e.g. ip saddr 10.0.0.0/8 tcp dport 22 accept",
            ),
            (
                "firewalld：从区域中移除 ssh 服务，改为来源受限的富规则，例如 firewall-cmd --permanent --add-rich-rule='rule family=ipv4 source address=10.0.0.0/8 service name=ssh accept'",
                "firewalld: remove the ssh service from the zone and allow it from the operations network only, e.g. firewall-cmd "
                "--permanent --add-rich-rule='rule family=ipv4 source address=10.0.0.0/8 service name=ssh accept'",
            ),
        ),
    ),
    "LNX-ICS-001": (
        T(
            "网关无需路由时关闭转发（/etc/sysctl.d 中 net.ipv4.ip_forward = 0）；需要路由时将 forward 链默认策略设为 drop，只放行明确需要的工业流量",
            "If the gateway need not route, turn forwarding off (net.ipv4.ip_forward = 0 in /etc/sysctl.d); otherwise set the forward "
            "chain policy to drop and allow only the industrial traffic that is needed",
        ),
    ),
    "LNX-NET-002": (
        F(
            (
                "卸载明文服务：apt purge telnetd rsh-server vsftpd tftpd-hpa（按下表实际存在的）",
                "Remove the plaintext servers: apt purge telnetd rsh-server vsftpd tftpd-hpa (those listed below)",
            ),
            (
                "卸载明文服务：dnf remove telnet-server rsh-server vsftpd tftp-server（按下表实际存在的）",
                "Remove the plaintext servers: dnf remove telnet-server rsh-server vsftpd tftp-server (those listed below)",
            ),
        ),
        T("远程管理改用 SSH，文件传输改用 SFTP/SCP", "Administer over SSH and transfer files with SFTP/SCP"),
    ),
    "LNX-SVC-002": (
        F(
            (
                "注释 /etc/inetd.conf 中的服务行，然后卸载超级服务器：apt purge openbsd-inetd",
                "Comment out the service lines in /etc/inetd.conf, then remove the super-server: apt purge openbsd-inetd",
            ),
            (
                "在 /etc/xinetd.d/<服务> 中设置 disable = yes，然后卸载：dnf remove xinetd",
                "Set 'disable = yes' in /etc/xinetd.d/<service>, then remove it: dnf remove xinetd",
            ),
        ),
    ),
    "LNX-RMT-001": (
        F(
            (
                "卸载远程控制软件：apt purge <软件包>（如 teamviewer、anydesk），删除残留目录并停用其服务单元",
                "Uninstall the remote-control tools: apt purge <package> (e.g. teamviewer, anydesk), delete leftover directories and disable their units",
            ),
            (
                "卸载远程控制软件：dnf remove <软件包>（如 teamviewer、anydesk），删除残留目录并停用其服务单元",
                "Uninstall the remote-control tools: dnf remove <package> (e.g. teamviewer, anydesk), delete leftover directories and disable their units",
            ),
        ),
        T(
            "远程运维统一经堡垒机或 VPN + SSH，第三方访问需审批并限时开放",
            "Route remote administration through the bastion host or VPN + SSH; third-party access is approved and time-limited",
        ),
    ),
    "LNX-ICS-004": (
        F(
            (
                "卸载远程控制与隧道软件：apt purge <软件包>；systemctl disable --now frpc.service 并删除 /etc/frp",
                "Remove remote-control and tunnel software: apt purge <package>; systemctl disable --now frpc.service and delete /etc/frp",
            ),
            (
                "卸载远程控制与隧道软件：dnf remove <软件包>；systemctl disable --now frpc.service 并删除 /etc/frp",
                "Remove remote-control and tunnel software: dnf remove <package>; systemctl disable --now frpc.service and delete /etc/frp",
            ),
        ),
        T(
            "厂商远程维护改为经审批、限时开放的 VPN + 堡垒机，会话全程审计",
            "Vendor remote maintenance goes through an approved, time-limited VPN and bastion host with recorded sessions",
        ),
    ),
    "LNX-PKG-001": (
        F(
            (
                "安装安全更新：apt-get update && apt-get upgrade",
                "Install the security updates: apt-get update && apt-get upgrade",
            ),
            ("安装安全更新：dnf upgrade --security", "Install the security updates: dnf upgrade --security"),
        ),
        F(
            ("需要时重启（存在 /var/run/reboot-required 时）", "Reboot where required (when /var/run/reboot-required exists)"),
            ("需要时重启（needs-restarting -r 提示时）", "Reboot where required (when needs-restarting -r says so)"),
        ),
    ),
    "LNX-PKG-002": (
        F(
            (
                'apt install unattended-upgrades，并在 /etc/apt/apt.conf.d/20auto-upgrades 中设置 APT::Periodic::Update-Package-Lists "1"; 与 APT::Periodic::Unattended-Upgrade "1";',
                'apt install unattended-upgrades and set APT::Periodic::Update-Package-Lists "1"; and APT::Periodic::Unattended-Upgrade '
                '"1"; in /etc/apt/apt.conf.d/20auto-upgrades',
            ),
            (
                "dnf install dnf-automatic，在 /etc/dnf/automatic.conf 中设置 upgrade_type = security、apply_updates = yes，然后 systemctl enable --now dnf-automatic.timer",
                "dnf install dnf-automatic, set upgrade_type = security and apply_updates = yes in /etc/dnf/automatic.conf, then "
                "systemctl enable --now dnf-automatic.timer",
            ),
        ),
    ),
    "LNX-ICS-005": (
        F(
            (
                "核实被改动的文件（dpkg -V <包名>），从可信源重新安装（apt install --reinstall <包名>），并排查入侵",
                "Investigate each changed file (dpkg -V <package>), reinstall from a trusted source (apt install --reinstall <package>) and look for an intrusion",
            ),
            (
                "核实被改动的文件（rpm -V <包名>），从可信源重新安装（dnf reinstall <包名>），并排查入侵",
                "Investigate each changed file (rpm -V <package>), reinstall from a trusted source (dnf reinstall <package>) and look for an intrusion",
            ),
        ),
    ),
    "LNX-OS-001": (
        F(
            (
                "按 Debian/Ubuntu 发行说明逐个大版本升级（修改 sources.list 后 apt full-upgrade），或在受支持版本上重建；无法按期升级时购买延长支持",
                "Upgrade one major release at a time as the Debian/Ubuntu release notes describe (edit sources.list, then apt "
                "full-upgrade), or rebuild on a supported release; buy extended support if the upgrade must wait",
            ),
            (
                "按厂商指引升级到受支持版本（RHEL/Rocky：leapp；openEuler/麒麟：厂商迁移工具或重建），无法按期升级时购买延长支持",
                "Upgrade to a supported release as the vendor describes (RHEL/Rocky: leapp; openEuler/Kylin: the vendor's migration "
                "tool or a rebuild); buy extended support if the upgrade must wait",
            ),
        ),
    ),
    "LNX-LOG-003": (
        F(
            (
                "在 /etc/logrotate.d/rsyslog 中为 /var/log/syslog 与 /var/log/auth.log 设置 weekly 与 rotate 26（或更多）",
                "In /etc/logrotate.d/rsyslog set 'weekly' and 'rotate 26' (or more) for /var/log/syslog and /var/log/auth.log",
            ),
            (
                "在 /etc/logrotate.d/rsyslog（或 syslog）中为 /var/log/messages 与 /var/log/secure 设置 weekly 与 rotate 26（或更多）",
                "In /etc/logrotate.d/rsyslog (or syslog) set 'weekly' and 'rotate 26' (or more) for /var/log/messages and /var/log/secure",
            ),
        ),
        T("同时转发到保留至少六个月的日志服务器", "Also forward the logs to a server that keeps them for at least six months"),
    ),
    "LNX-TIME-001": (
        F(
            (
                "apt install chrony，在 /etc/chrony/chrony.conf 中配置 server <时间服务器> iburst，执行 systemctl enable --now chrony",
                "apt install chrony, add 'server <time server> iburst' to /etc/chrony/chrony.conf and run systemctl enable --now chrony",
            ),
            (
                "dnf install chrony，在 /etc/chrony.conf 中配置 server <时间服务器> iburst，执行 systemctl enable --now chronyd",
                "dnf install chrony, add 'server <time server> iburst' to /etc/chrony.conf and run systemctl enable --now chronyd",
            ),
        ),
        T("核对：chronyc tracking 显示已同步", "Check: chronyc tracking shows the clock synchronised"),
    ),
    "LNX-EDR-001": (
        T(
            "部署由中心控制台管理的企业 EDR/防恶意代码或 HIDS 代理（如 Wazuh agent 或厂商 EDR）",
            "Deploy an enterprise EDR/anti-malware or HIDS agent managed from a central console (e.g. the Wazuh agent or a vendor EDR)",
        ),
        F(
            (
                "或安装 ClamAV：apt install clamav clamav-daemon clamav-freshclam，并 systemctl enable --now clamav-daemon",
                "Or install ClamAV: apt install clamav clamav-daemon clamav-freshclam and systemctl enable --now clamav-daemon",
            ),
            (
                "或安装 ClamAV：dnf install clamav clamd clamav-update，并 systemctl enable --now clamd@scan",
                "Or install ClamAV: dnf install clamav clamd clamav-update and systemctl enable --now clamd@scan",
            ),
        ),
    ),
    "LNX-EDR-002": (
        F(
            (
                "恢复特征库更新：systemctl enable --now clamav-freshclam，检查 /etc/clamav/freshclam.conf 的镜像与代理设置",
                "Make signature updates work: systemctl enable --now clamav-freshclam; check mirrors and proxy in /etc/clamav/freshclam.conf",
            ),
            (
                "恢复特征库更新：systemctl enable --now clamav-freshclam，检查 /etc/freshclam.conf 的镜像与代理设置",
                "Make signature updates work: systemctl enable --now clamav-freshclam; check mirrors and proxy in /etc/freshclam.conf",
            ),
        ),
        T("立即更新一次：freshclam", "Update once now: freshclam"),
    ),
    "LNX-EDR-003": (
        F(
            ("安装并建立基线：apt install aide; aideinit", "Install and build the baseline: apt install aide; aideinit"),
            (
                "安装并建立基线：dnf install aide; aide --init; mv /var/lib/aide/aide.db.new.gz /var/lib/aide/aide.db.gz",
                "Install and build the baseline: dnf install aide; aide --init; mv /var/lib/aide/aide.db.new.gz /var/lib/aide/aide.db.gz",
            ),
        ),
        T(
            "配置每日校验任务（systemd 定时器或 cron 执行 aide --check）",
            "Schedule a daily check (a systemd timer or cron running aide --check)",
        ),
    ),
    "LNX-MAC-001": (
        F(
            (
                "apt install apparmor apparmor-utils，确认内核参数未含 apparmor=0，systemctl enable --now apparmor，用 aa-enforce /etc/apparmor.d/<配置文件> 切换到 enforce 模式（aa-status 确认）",
                "apt install apparmor apparmor-utils, make sure the kernel command line has no apparmor=0, systemctl enable --now "
                "apparmor, and enforce the profiles with aa-enforce /etc/apparmor.d/<profile> (confirm with aa-status)",
            ),
            (
                "在 /etc/selinux/config 中设置 SELINUX=enforcing，执行 setenforce 1（getenforce 确认）",
                "Set SELINUX=enforcing in /etc/selinux/config and run setenforce 1 (confirm with getenforce)",
            ),
        ),
    ),
    "LNX-BOOT-001": (
        F(
            (
                'grub-mkpasswd-pbkdf2 生成口令散列，在 /etc/grub.d/40_custom 中加入 set superusers="admin" 与 password_pbkdf2 admin <散列>，执行 update-grub',
                "Create a hash with grub-mkpasswd-pbkdf2, add 'set superusers=\"admin\"' and 'password_pbkdf2 admin <hash>' to "
                "/etc/grub.d/40_custom, and run update-grub",
            ),
            ("执行 grub2-setpassword 设置引导口令", "Set the boot password with grub2-setpassword"),
        ),
    ),
}


# ------------------------------------------------------------------------------------------ labels

# '#' ids in setting names and values, in both languages. Ids with a parameter are '#id:param'.
LABELS: Dict[str, Text] = {
    "#unset": T("未设置", "not set"),
    "#none": T("无", "none"),
    "#pass": T("通过", "pass"),
    "#fail": T("未通过", "fail"),
    "#manual": T("需人工核查", "needs review"),
    "#error": T("无法评估", "could not assess"),
    "#not_applicable": T("不适用", "not applicable"),
    "#not_assessed": T("未评估", "not assessed"),
    "#yes": T("是", "yes"),
    "#no": T("否", "no"),
    "#partial": T("部分", "partly"),
    "#unknown": T("未作答", "not answered"),
    "#undetermined": T("无法确定", "cannot tell"),
    "#adequate": T("达到要求的选项", "an adequate option"),
    "#loaded": T("已加载", "loaded"),
    "#not_disabled": T("未禁用", "not disabled"),
    "#disabled": T("已禁用", "disabled"),
    "#disabled_masked": T("停用并屏蔽（systemctl disable --now 与 mask）", "disabled and masked (systemctl disable --now, mask)"),
    "#enabled": T("已启用", "enabled"),
    "#running": T("运行中", "running"),
    "#installed": T("已安装", "installed"),
    "#not_installed": T("未安装", "not installed"),
    "#stopped": T("未运行", "not running"),
    "#removed": T("已卸载/删除", "removed"),
    "#present": T("存在", "present"),
    "#modified": T("已被改动", "changed"),
    "#reinstalled": T("从可信源重新安装", "reinstalled from a trusted source"),
    "#internal_only": T("仅 127.0.0.1 或内网地址", "127.0.0.1 or an internal address only"),
    "#ot_only": T("仅 OT 侧接口", "OT-side interfaces only"),
    "#dedicated_user": T("专用非特权账户", "a dedicated unprivileged account"),
    "#deny": T("默认拒绝", "deny by default"),
    "#accept": T("默认放行", "accept by default"),
    "#inactive": T("未启用", "not active"),
    "#any_source": T("任意来源", "any source"),
    "#admin_sources": T("仅运维网络", "the operations network only"),
    "#offsite": T("定期备份到独立备份服务器或对象存储", "regular copies to a separate backup server or object store"),
    "#netdisk_upload": T("上传互联网网盘", "uploaded to an internet net-disk"),
    "#synchronised": T("已同步", "synchronised"),
    "#not_synchronised": T("未同步", "not synchronised"),
    "#supported_release": T("受厂商安全支持的版本", "a release under vendor security support"),
    "#deployed": T("已部署并运行", "deployed and running"),
    "#baseline": T("已建立基线库并每日校验", "baseline built, checked daily"),
    "#no_baseline": T("未建立基线库", "no baseline database"),
    "#enforcing": T("强制模式", "enforcing"),
    "#password_set": T("已设置口令", "password set"),
    "#personal_admins": T("管理员使用个人账户", "personal administrator accounts"),
    "#cleartext": T("明文", "in clear text"),
    "#credential_file": T("移至仅属主可读的凭据文件或凭据库", "moved to an owner-only credential file or a vault"),
    "#login_shell": T("可登录 shell", "login shell"),
    "#no_os_details": T("不含系统名称与版本", "no OS name or version"),
    "#no_relative_path": T("删除该条目", "entry removed"),
    "#no_sticky": T("无粘滞位", "no sticky bit"),
    "#world_writable": T("全局可写", "world-writable"),
    "#not_mounted": T("未单独挂载", "not a separate mount"),
    "#persist": T(
        "写入 /etc/sysctl.d 持久化（或改回配置值）", "persisted in /etc/sysctl.d (or set back to the configured value)"
    ),
    "#running_with_rules": T("运行并已加载规则", "running with rules loaded"),
    "#no_rules": T("未加载规则", "no rules loaded"),
    "#named_users": T("指定用户/组或来源地址", "named users, groups or source addresses"),
    "#hourly": T("每小时", "hourly"),
    "#daily": T("每天", "daily"),
    "#weekly": T("每周", "weekly"),
    "#monthly": T("每月", "monthly"),
    "#yearly": T("每年", "yearly"),
    "#log_server": T(
        "转发到日志服务器（如 *.* @@<日志服务器>:6514）", "forwarded to a log server (e.g. *.* @@<log server>:6514)"
    ),
    # setting names
    "#uid0_accounts": T("UID 为 0 的账户", "Accounts with UID 0"),
    "#empty_password_accounts": T("空口令账户", "Accounts with an empty password"),
    "#unshadowed_accounts": T("口令未存放在 shadow 中的账户", "Accounts whose password is not in /etc/shadow"),
    "#duplicate_uids": T("重复的 UID", "Shared UIDs"),
    "#duplicate_user_names": T("重复的用户名", "Duplicate user names"),
    "#duplicate_gids": T("重复的 GID", "Shared GIDs"),
    "#duplicate_group_names": T("重复的组名", "Duplicate group names"),
    "#admin_accounts": T("管理员账户", "Administrator accounts"),
    "#weak_hash_accounts": T("使用弱哈希的账户", "Accounts with a weak password hash"),
    "#pending_security_updates": T("待安装的安全更新", "Pending security updates"),
    "#package_index_age": T("软件包索引距今天数", "Age of the package index (days)"),
    "#upgrade_command": T("升级命令（只升级上列软件包）", "Upgrade command (only the packages listed)"),
    "#not_run": T("尚未执行", "not run yet"),
    "#os_release": T("操作系统版本", "Operating system release"),
    "#backup_job": T("备份作业", "Backup job"),
    "#backup_interval": T("备份间隔", "Backup interval"),
    "#remote_log_forwarding": T("日志远程转发", "Remote log forwarding"),
    "#time_sync": T("时间同步", "Time synchronisation"),
    "#anti_malware": T("防恶意代码/EDR", "Anti-malware/EDR"),
    "#fim": T("文件完整性监控", "File integrity monitoring"),
    "#grub_password": T("GRUB 引导口令", "GRUB boot password"),
    "#inbound_default_v4": T("IPv4 入站默认策略", "Inbound IPv4 default"),
    "#inbound_default_v6": T("IPv6 入站默认策略", "Inbound IPv6 default"),
    "#forwarded_ports": T("跨 IT/OT 转发的端口", "Ports forwarded across IT/OT"),
    "#exposed_port_count": T("非回环地址上的监听端口数", "Ports listening on non-loopback addresses"),
    "#audit_watches_missing": T("缺少的审计规则", "Missing audit rules"),
    "#actions_set_to_ignore": T("设为 ignore 的处理动作", "Actions set to ignore"),
    "#pam_otp_module": T("PAM 第二因素模块（/etc/pam.d/sshd）", "PAM second-factor module (/etc/pam.d/sshd)"),
}


def _within(value: str) -> Optional[Text]:
    if value.startswith("#within:") and value[8:].isdigit():
        n = value[8:]
        return T(f"{n} 天内的日期", f"a date within {n} days")
    if value.startswith("#days:"):
        n = value[6:]
        return T(f"{n} 天", f"{n} days")
    return None


def label(value: Optional[str], lang: str) -> str:
    """A setting name or value for display: '#' ids in ``lang``, anything else as it is; None is 'not set'."""
    if value is None:
        return LABELS["#unset"].get(lang)
    text = LABELS.get(value) or _within(value)
    return text.get(lang) if text is not None else value


def steps_of(artefact: Optional[str], check_ids: Sequence[str], has_values: bool) -> List[Step]:
    """A task's steps, unrendered: the artefact's preparation, its apply step, each check's own steps, its closing."""
    from checks.catalogue import all_checks

    art = ARTEFACTS.get(artefact or "")
    out: List[Step] = list(art.before) if art else []
    if art and art.apply and has_values:
        out.append(art.apply)
    catalogue = all_checks()
    for cid in check_ids:
        if cid in CHECK_STEPS:
            out.extend(s for s in CHECK_STEPS[cid] if s not in out)
        elif not (art and art.apply) and cid in catalogue:
            text = catalogue[cid].meta.remediation
            if text not in out:
                out.append(text)
    if art:
        out.extend(art.after)
    return out


def render_steps(
    steps: Sequence[Step], family: Optional[str], lang: str, split: Callable[[str, str], List[str]], *, heading: bool = True
) -> List[str]:
    """Steps as text in ``lang`` for ``family``; a family-specific step for an unknown family is given per family, labelled
    (after a line saying so, with ``heading``)."""
    known = family in FAMILIES
    out: List[str] = []
    if heading and not known and any(isinstance(s, FamilyStep) for s in steps):
        out.append(UNKNOWN_FAMILY.get(lang))
    for step in steps:
        if isinstance(step, FamilyStep):
            if known:
                out.append(step.get(family or "").get(lang))
            else:
                out.extend(f"[{FAMILY_LABELS[fam].get(lang)}] {step.get(fam).get(lang)}" for fam in FAMILIES)
        else:
            out.extend(split(step.get(lang), lang))
    return out
