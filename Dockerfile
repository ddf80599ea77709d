# LiveHelp server image: the .NET app with its bundled web assets.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/LiveHelp.Server -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080 \
    LiveHelp__DataDirectory=/data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["dotnet", "LiveHelp.Server.dll", "healthcheck", "http://localhost:8080/readyz"]
ENTRYPOINT ["dotnet", "LiveHelp.Server.dll"]
