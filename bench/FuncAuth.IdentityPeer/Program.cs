using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

// The comparison peer of the load benchmark: the Identity API endpoints (register, login, refresh, manage/info) with
// bearer tokens, users in SQLite. No refresh-token rotation with reuse detection, no rate limits: what FuncAuth is
// measured against. Settings: PEER_DATABASE (the SQLite file), PEER_URL (where to listen).
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var database = Environment.GetEnvironmentVariable("PEER_DATABASE") ?? Path.Combine(Path.GetTempPath(), "identity-peer.db");
builder.Services.AddDbContext<PeerDb>(o => o.UseSqlite("Data Source=" + database));
builder.Services.AddAuthorization();
builder.Services.AddIdentityApiEndpoints<IdentityUser>(o =>
{
    // FuncAuth's password rule is length, not character classes: the benchmark's password passes both.
    o.Password.RequireDigit = false;
    o.Password.RequireUppercase = false;
}).AddEntityFrameworkStores<PeerDb>();
builder.WebHost.UseUrls(Environment.GetEnvironmentVariable("PEER_URL") ?? "http://127.0.0.1:5099");

var app = builder.Build();
using (var scope = app.Services.CreateScope())
{
    var db = scope.ServiceProvider.GetRequiredService<PeerDb>();
    db.Database.EnsureCreated();
    // Write-ahead logging, as a server using SQLite would: readers do not wait for the writer.
    db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
}

app.MapIdentityApi<IdentityUser>();
app.MapGet("/health", () => "ok");
app.Run();

internal sealed class PeerDb(DbContextOptions<PeerDb> options) : IdentityDbContext<IdentityUser>(options);
