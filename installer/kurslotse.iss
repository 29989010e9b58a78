; Inno Setup recipe for the Kurslotse installer on Windows (Inno Setup 6.3 or newer).
;
; Build (on Windows, after the bundle):
;   pyinstaller --noconfirm build.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installer\kurslotse.iss
; The result is dist\kurslotse-<Version>-einrichtung.exe.
;
; The version is read from the version resource of the built kurslotse.exe (made by build.spec from
; app.__version__), so there is one place to change it. Override with /DAppVersion=1.2.3.
;
; Installed for the current user only (no administrator rights needed: many trainers' laptops
; belong to a club or a library). The data folder (%LOCALAPPDATA%\Kurslotse: database, backups,
; settings) is not part of the installation and stays when Kurslotse is uninstalled.
; Not signed: Windows SmartScreen warns at the first start ("Weitere Informationen" → "Trotzdem
; ausführen"); with a code-signing certificate add SignTool=... here.

#define AppName "Kurslotse"
#define AppExe "kurslotse.exe"
#define BundleDir "..\dist\kurslotse"
#ifndef AppVersion
  #define AppVersion GetVersionNumbersString(AddBackslash(SourcePath) + BundleDir + "\" + AppExe)
#endif

[Setup]
AppId={{46CB0D92-9F79-478C-8D3D-762094DD2FB8}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Kurslotse-Projekt (ehrenamtlich)
VersionInfoVersion={#AppVersion}
VersionInfoDescription={#AppName} – Einrichtung
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=kurslotse-{#AppVersion}-einrichtung
SetupIconFile=..\ressourcen\programmsymbol\kurslotse.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
; a running Kurslotse holds its files: ask to close it instead of failing half-way
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "german"; MessagesFile: "compiler:Languages\German.isl"

[Tasks]
Name: "desktopicon"; Description: "Symbol auf dem Desktop anlegen"; GroupDescription: "Zusätzliche Symbole:"
Name: "befehl"; Description: "Befehl »kurslotse« in der Eingabeaufforderung verfügbar machen (z. B. »kurslotse lektionen pruefen«)"; GroupDescription: "Für Fortgeschrittene:"; Flags: unchecked

[Files]
; kurslotse.exe: the window program; kurslotse.com: the same program with a console (command line)
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an update replaces the whole program folder, so no library of an older version is left behind
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Smartphone-Kurse zeigen, Handouts drucken, Anwesenheit führen"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; the user's own PATH (HKCU), only with the task "befehl"
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: befehl; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\{#AppExe}"; Description: "Kurslotse jetzt starten"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Folder: string): Boolean;
var
  Current: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Current) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Folder) + ';', ';' + Uppercase(Current) + ';') = 0;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Current, Folder: string;
  Start: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Current) then
    exit;
  Folder := ExpandConstant('{app}');
  Start := Pos(';' + Uppercase(Folder), Uppercase(Current));
  if Start > 0 then
  begin
    Delete(Current, Start, Length(Folder) + 1);
    RegWriteExpandStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Current);
  end;
end;
