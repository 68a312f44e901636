namespace FuncAuth.Core.Sessions;

public enum LogoutScope
{
    Local,
    Global,
    Others,
}
