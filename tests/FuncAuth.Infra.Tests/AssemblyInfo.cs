// The Bicep CLI these tests run comes from the linux-x64 package, and the hook scripts are checked for Unix modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
