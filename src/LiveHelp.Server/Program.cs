using LiveHelp.Server;

if (args is ["healthcheck", var url])
{
    return await HealthProbe.RunAsync(url);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddLiveHelp();
var app = builder.Build();
app.MapLiveHelp();
await app.RunAsync();
return 0;
