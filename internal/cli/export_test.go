package cli

// Names the external tests (package cli_test) use.
const DemoDir = demoDir

type SyncBuffer = syncBuffer

var Commands = commands
var EnvName = envName
var GlobalFlags = globalFlags
var ParseConfig = parseConfig
var ReportFlags = reportFlags
var VersionText = versionText
