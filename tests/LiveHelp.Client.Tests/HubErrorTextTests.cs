namespace LiveHelp.Client.Tests;

public sealed class HubErrorTextTests
{
    [Theory]
    [InlineData("An unexpected error occurred invoking 'RequestHelp' on the server. HubException: unknown_topic: No such topic.", "unknown_topic", "No such topic.")]
    [InlineData("rate_limited: Slow down: 3 messages a second.", "rate_limited", "Slow down: 3 messages a second.")]
    [InlineData("An unexpected error occurred invoking 'Crash' on the server.", LiveHelpHubException.UnknownCode, "An unexpected error occurred invoking 'Crash' on the server.")]
    [InlineData("An unexpected error occurred invoking 'X' on the server. InvalidOperationException: boom: detail", LiveHelpHubException.UnknownCode, "An unexpected error occurred invoking 'X' on the server. InvalidOperationException: boom: detail")]
    [InlineData("Failed to invoke 'Rate' due to an error on the server.", LiveHelpHubException.UnknownCode, "Failed to invoke 'Rate' due to an error on the server.")]
    [InlineData("An unexpected error occurred invoking 'X' on the server. HubException: Slow down: 3 a second", LiveHelpHubException.UnknownCode, "Slow down: 3 a second")]
    [InlineData(": nothing before", LiveHelpHubException.UnknownCode, ": nothing before")]
    public void Reads_the_code_before_the_first_colon(string serverError, string code, string message)
    {
        var error = LiveHelpHubException.FromServerError(serverError);

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(serverError, error.ServerError);
    }
}
