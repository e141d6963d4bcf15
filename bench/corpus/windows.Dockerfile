# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Invoke-WebRequest -Uri https://example.com/setup.exe `
      -OutFile C:\setup.exe ; `
    Start-Process C:\setup.exe -ArgumentList '/quiet' -Wait ; `
    Remove-Item C:\setup.exe
ENV APP_HOME=C:\app `
    LOG_DIR=C:\logs
WORKDIR C:\app
COPY ["bin\\", "C:\\app\\bin\\"]
USER ContainerUser
CMD ["C:\\app\\bin\\app.exe"]
