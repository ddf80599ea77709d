using LiveHelp.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddLiveHelp();
var app = builder.Build();
app.MapLiveHelp();
app.Run();
