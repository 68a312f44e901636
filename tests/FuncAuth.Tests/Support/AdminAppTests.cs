namespace FuncAuth.Tests.Support;

/// <summary>
/// A fresh app per test with its administrator signed in: the admin address can sign up only once per app (each app
/// has its own tables).
/// </summary>
public abstract class AdminAppTests(AzuriteFixture azurite) : IAsyncLifetime
{
    protected FuncAuthApp App { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    protected Tokens Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await FuncAuthApp.StartAsync(azurite);
        Client = App.CreateClient();
        Admin = await Client.SignupAsync(FuncAuthApp.AdminEmail);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}
