"""Chinese for the transparency-log pages (merged by scripts/zh_messages.py)."""

ZH = {
    "Transparency log": "透明日志",
    "Every change to a shared record — instruments, participation, mappings, evidence, assessments, incidents, vulnerabilities and evaluation results — is appended to an append-only Merkle log (RFC 9162) in the same transaction as the change. Anyone can check offline, without trusting this server, that a record they were shown is in the log and that the log only grew.": "对共享记录的每一次更改——文书、参与情况、映射、证据、履约评估、事件、漏洞和评估结果——都在同一事务中追加到只增不改的默克尔日志（RFC 9162）。任何人都可以离线核验，而无需信任本服务器：所看到的记录确在日志中，且日志只增不减。",
    "Log": "日志",
    "Entries": "条目数",
    "Verifier key": "验证公钥",
    "This server does not hold the log's key; ask its operator for the verifier key.": "本服务器未持有日志密钥；请向运营方索取验证公钥。",
    "Latest checkpoint": "最新检查点",
    "Download the checkpoint": "下载检查点",
    "No checkpoint has been signed yet. Checkpoints are signed on a fixed cadence, so that witnesses cosign the same ones.": "尚未签署检查点。检查点按固定周期签署，以便见证方对同一检查点联署。",
    "Records in the log": "日志中的记录",
    "Record type": "记录类型",
    "Records": "记录数",
    "Embargoed vulnerabilities are logged as salted commitments: the log shows that something was recorded, not what. When a record is published, its envelope is logged and the salt is released, so anyone can check that the earlier commitment was this record.": "处于保密期的漏洞以加盐承诺的形式记入日志：日志只显示有记录写入，而不显示其内容。记录公开时，其信封被记入日志并公布盐值，任何人都可核验先前的承诺确为该记录。",
    "Verify a record offline": "离线核验一条记录",
    "Fetch the record's canonical form and its proof bundle:": "获取记录的规范形式及其证明包：",
    "Save the record field as JSON, then run:": "将 record 字段保存为 JSON，然后运行：",
    "To require witness cosignatures, add a trust policy:": "如需要求见证方联署，请加上信任策略：",
}
